import Campaigns
import ServiceKit

await ServiceHost.main(CampaignsService.definition())
