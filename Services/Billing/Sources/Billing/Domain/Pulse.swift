/// D-20: the unit calls are rated in, configurable per plan. Only 1, 15, 30 and 60 seconds exist.
public enum Pulse: Int, Sendable, CaseIterable, Codable {
    case oneSecond = 1
    case fifteenSeconds = 15
    case thirtySeconds = 30
    case sixtySeconds = 60
}
