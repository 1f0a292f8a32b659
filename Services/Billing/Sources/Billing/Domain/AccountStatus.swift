/// D-19, BI-03: an account is suspended below the credit limit and stays so until a refresh resumes it.
public enum AccountStatus: String, Sendable, Codable {
    case active, suspended
}
