namespace IsmsOps.Engine.Assessment.Resources;

/// <summary>
/// The built-in Entra ID roles the policy language calls privileged (roleAssignment.privileged, account.privileged),
/// by Microsoft's template ids, which are the same in every tenant. A role whose snapshot record has no template id is
/// matched by display name.
/// </summary>
public static class PrivilegedDirectoryRoles
{
    public const string GlobalAdministratorTemplateId = "62e90394-69f5-4237-9190-012177145e10";

    /// <summary>Template id and display name of each privileged role.</summary>
    public static IReadOnlyList<(string TemplateId, string Name)> All { get; } =
    [
        (GlobalAdministratorTemplateId, "Global Administrator"),
        ("e8611ab8-c189-46e8-94e1-60213ab1f814", "Privileged Role Administrator"),
        ("7be44c8a-adaf-4e2a-84d6-ab2649e08a13", "Privileged Authentication Administrator"),
        ("194ae4cb-b126-40b2-bd5b-6091b380977d", "Security Administrator"),
        ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"),
        ("29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator"),
        ("9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "Application Administrator"),
        ("158c047a-c907-4556-b7ef-446551a6b5f7", "Cloud Application Administrator"),
        ("c4e39bd9-1100-46d3-8c65-fb160da0071f", "Authentication Administrator"),
        ("b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", "Conditional Access Administrator"),
        ("729827e3-9c14-49f7-bb1b-9608f156bbb8", "Helpdesk Administrator"),
        ("fdd7a751-b60b-444a-984c-02652fe8fa1c", "Groups Administrator"),
    ];

    private static readonly HashSet<string> Keys = new(All.SelectMany(r => new[] { r.TemplateId, r.Name }), StringComparer.OrdinalIgnoreCase);

    /// <summary>True when the role (by template id, or by name when the id is unknown) is privileged.</summary>
    public static bool IsPrivileged(string? templateId, string? name) =>
        (templateId is not null && Keys.Contains(templateId)) || (name is not null && Keys.Contains(name));

    /// <summary>True for Global Administrator.</summary>
    public static bool IsGlobalAdministrator(string? templateId, string? name) =>
        string.Equals(templateId, GlobalAdministratorTemplateId, StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, "Global Administrator", StringComparison.OrdinalIgnoreCase);
}
