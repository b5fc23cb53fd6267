namespace IsmsOps.Sandbox.Directory;

/// <summary>A user in the sandbox tenant, holding the Graph v1.0 user properties the sandbox serves.</summary>
public sealed class DirectoryUser : DirectoryObject
{
    public DirectoryUser(string id, string userPrincipalName) : base(id) => UserPrincipalName = userPrincipalName;

    public override string ODataType => "#microsoft.graph.user";

    public string UserPrincipalName { get; }
    public required string DisplayName { get; init; }
    public string? GivenName { get; init; }
    public string? Surname { get; init; }
    public string? Mail { get; init; }
    public string? MailNickname { get; init; }
    public string? Department { get; set; }
    public string? JobTitle { get; set; }
    public string? EmployeeId { get; init; }
    public bool AccountEnabled { get; set; } = true;

    /// <summary>Member or Guest.</summary>
    public required string UserType { get; init; }

    public DirectoryUser? Manager { get; set; }
    public DateTimeOffset CreatedDateTime { get; init; }
    public DateTimeOffset? EmployeeHireDate { get; init; }
    public DateTimeOffset? EmployeeLeaveDateTime { get; init; }

    /// <summary>True when mastered in on-premises AD; Graph leaves it null for cloud-only users.</summary>
    public bool? OnPremisesSyncEnabled { get; init; }

    public DateTimeOffset? LastSignInDateTime { get; init; }
}
