/// D-15: the reference under which Campaigns holds credit for a campaign in Billing. Billing draws the campaign's
/// charged conversations from the hold with this reference, so both sides must spell it the same way.
public enum CampaignHold {
    public static func reference(_ campaign: CampaignID) -> String { "campaign:\(campaign)" }
}
