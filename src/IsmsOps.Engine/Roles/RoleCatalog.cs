using IsmsOps.Engine.Policies;

namespace IsmsOps.Engine.Roles;

/// <summary>
/// The role catalog: every <see cref="RoleDefinition"/> in the <c>*.yaml</c> files of a folder (<c>policies/roles/</c>),
/// looked up by id case-insensitively. A catalog is only ever built from files without a single error: loading a
/// folder with problems throws one IsmsOps.Policy.Invalid that lists every problem of every file, and
/// <see cref="Validate"/> returns them as data (for CI of a policy repository).
/// </summary>
public sealed class RoleCatalog
{
    /// <summary>The catalog's folder inside a policy folder.</summary>
    public const string FolderName = "roles";

    private readonly Dictionary<string, RoleDefinition> _byId;

    private RoleCatalog(IReadOnlyList<RoleDefinition> roles, string source)
    {
        Roles = roles;
        Source = source;
        _byId = roles.ToDictionary(r => r.Id, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>A catalog without roles, for a policy folder that has no roles/ folder.</summary>
    public static RoleCatalog Empty { get; } = new([], "no role catalog");

    /// <summary>Every role, ordered by id.</summary>
    public IReadOnlyList<RoleDefinition> Roles { get; }

    /// <summary>The folder or file the catalog was read from, or "no role catalog".</summary>
    public string Source { get; }

    /// <summary>The catalog in <paramref name="folder"/>'s roles/ folder, or <see cref="Empty"/> when it has none.</summary>
    public static RoleCatalog From(PolicyFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        string? roles = folder.Path is null ? null : Path.Combine(folder.Path, FolderName);
        return roles is not null && Directory.Exists(roles) ? Load(roles) : Empty;
    }

    /// <summary>
    /// Reads a folder of role files (<c>*.yaml</c>, <c>*.yml</c>) or one role file. Throws IsmsOps.Policy.Invalid listing
    /// every problem when there is any, and IsmsOps.Policy.NotFound when <paramref name="path"/> does not exist.
    /// </summary>
    public static RoleCatalog Load(string path)
    {
        RoleCatalogValidation result = Validate(path);
        if (result.Errors.Count == 0)
        {
            return result.Catalog!;
        }

        string list = string.Join(Environment.NewLine, result.Errors.Select(e => "  " + e));
        string count = result.Errors.Count == 1 ? "1 error" : $"{result.Errors.Count} errors";
        var exception = new IsmsException("IsmsOps.Policy.Invalid", IsmsErrorKind.InvalidData,
            $"The role catalog '{result.Path}' has {count}. Nothing was changed.{Environment.NewLine}{list}",
            result.Errors.Count == 1 ? result.Errors[0].RecommendedAction : "Fix each error listed; Test-IsmsRoleCatalog returns them as objects with the fix for each.",
            result.Path);
        exception.Data["IsmsOps.PolicyErrors"] = result.Errors;
        throw exception;
    }

    /// <summary>
    /// Reads and checks a folder of role files, or one file, and returns every problem found (never throws for a
    /// problem in a file). The catalog is set only when there are no errors.
    /// </summary>
    public static RoleCatalogValidation Validate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string[] files;
        if (Directory.Exists(full))
        {
            files = Directory.EnumerateFiles(full, "*.yaml").Concat(Directory.EnumerateFiles(full, "*.yml"))
                .OrderBy(f => f, StringComparer.Ordinal).ToArray();
        }
        else if (File.Exists(full))
        {
            files = [full];
        }
        else
        {
            throw new IsmsException("IsmsOps.Policy.NotFound", IsmsErrorKind.NotFound, $"There is no role catalog folder or file at '{full}'.",
                "Give the folder that holds the role files (policies/roles), or one role file.", full);
        }

        var errors = new PolicyErrorList();
        var parsed = new List<RoleFileReader.ParsedRole>();
        foreach (string file in files)
        {
            parsed.AddRange(RoleFileReader.Read(file, errors));
        }

        CheckAcrossFiles(parsed, errors);
        RoleCatalog? catalog = errors.Count == 0
            ? new RoleCatalog(parsed.Select(p => p.Role!).OrderBy(r => r.Id, StringComparer.OrdinalIgnoreCase).ToArray(), full)
            : null;
        // Cross-file problems are found last; list them where they sit, so each file's errors read top to bottom.
        PolicyError[] ordered = errors.Errors.OrderBy(e => Array.IndexOf(files, e.File)).ThenBy(e => e.Line).ThenBy(e => e.Column).ToArray();
        return new RoleCatalogValidation(full, files, catalog, ordered);
    }

    /// <summary>The role with this id (any case), or null.</summary>
    public RoleDefinition? Find(string? id) => id is not null && _byId.TryGetValue(id.Trim(), out RoleDefinition? role) ? role : null;

    /// <summary>The roles whose id matches one of <paramref name="idPatterns"/> (wildcards, any case); all when empty.</summary>
    public IEnumerable<RoleDefinition> Match(IEnumerable<string>? idPatterns)
    {
        var patterns = new NamePatternSet(idPatterns);
        return Roles.Where(r => patterns.Matches(r.Id));
    }

    /// <summary>The role with this id; IsmsOps.Role.NotFound, naming the roles there are, when there is none.</summary>
    public RoleDefinition Require(string id) => Find(id) ?? throw NotFound(id, "id");

    /// <summary>
    /// The role a person's JobRole names: by id (any case), else by title (any case) when exactly one role has it.
    /// Throws IsmsOps.Role.NotFound for a value no role has and IsmsOps.Role.Ambiguous for a title several roles share.
    /// This is how a role change (<c>Set-IsmsPerson -JobRole</c>, an HR feed's mover) is checked against the catalog.
    /// </summary>
    public RoleDefinition ResolveJobRole(string jobRole)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobRole);
        if (Find(jobRole) is RoleDefinition byId)
        {
            return byId;
        }

        RoleDefinition[] byTitle = Roles.Where(r => string.Equals(r.Title, jobRole.Trim(), StringComparison.OrdinalIgnoreCase)).ToArray();
        return byTitle.Length switch
        {
            1 => byTitle[0],
            0 => throw NotFound(jobRole, "id or title"),
            _ => throw new IsmsException("IsmsOps.Role.Ambiguous", IsmsErrorKind.InvalidArgument,
                $"The job role '{jobRole}' is the title of {byTitle.Length} roles: {string.Join(", ", byTitle.Select(r => r.Id))}.",
                "Give the role's id instead of its title.", jobRole),
        };
    }

    /// <summary>
    /// The role <paramref name="jobRole"/> names as <see cref="ResolveJobRole"/> reads it (id, else a unique title), or
    /// null when it is empty, unknown or a title several roles share: for callers to whom an unresolvable value is no error.
    /// </summary>
    public RoleDefinition? FindJobRole(string? jobRole)
    {
        if (string.IsNullOrWhiteSpace(jobRole))
        {
            return null;
        }

        return Find(jobRole) ?? (Roles.Where(r => string.Equals(r.Title, jobRole.Trim(), StringComparison.OrdinalIgnoreCase)).Take(2).ToArray() is [RoleDefinition only]
            ? only
            : null);
    }

    /// <summary>
    /// The role a person's JobRole is set to (<c>New-IsmsPerson -JobRole</c>, <c>Set-IsmsPerson -JobRole</c>): resolved
    /// as <see cref="ResolveJobRole"/> does (id, else a unique title), so the caller stores the role's id, never the
    /// free text. A value the catalog does not define, or a title several roles share, is refused with
    /// IsmsOps.Person.UnknownRole naming the value, the catalog's path and how to list the roles; the caller then
    /// stores nothing. One place for this rule, so the joiner and the mover commands cannot drift apart.
    /// </summary>
    /// <param name="jobRole">The value given, a role id or title.</param>
    /// <param name="personId">The person it is for, named in the error; null when not known yet.</param>
    public RoleDefinition ResolvePersonJobRole(string jobRole, string? personId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobRole);
        try
        {
            return ResolveJobRole(jobRole);
        }
        catch (IsmsException unknown) when (unknown.ErrorId is "IsmsOps.Role.NotFound" or "IsmsOps.Role.Ambiguous")
        {
            string who = personId is null ? string.Empty : $" for person '{personId}'";
            string why = unknown.ErrorId == "IsmsOps.Role.Ambiguous"
                ? $"is the title of several roles in the role catalog ({Source})"
                : $"is neither the id nor the title of a role in the role catalog ({Source})";
            string known = Roles.Count == 0 ? " The catalog has no roles." : $" Roles: {string.Join(", ", Roles.Select(r => r.Id))}.";
            throw new IsmsException("IsmsOps.Person.UnknownRole", IsmsErrorKind.InvalidArgument,
                $"The JobRole '{jobRole.Trim()}'{who} {why}. Nothing was stored.",
                $"Give a role id or title that Get-IsmsRole lists, or add the role to the catalog ({Source}) first.{known}", jobRole, unknown);
        }
    }

    /// <summary>
    /// The segregation-of-duties breaches of someone holding <paramref name="roleIds"/>, plus (when given) groups and app
    /// roles held directly. A conflict binds both ways (payroll-approver declaring payments-operator forbids the pair
    /// whichever way round they are held; the pair is reported once), and a conflicting group or app role counts
    /// whether it is held directly or comes with another held role's birthright. Unknown role ids throw
    /// IsmsOps.Role.NotFound: an unknown role cannot be shown free of conflicts.
    /// </summary>
    public IReadOnlyList<SegregationOfDutiesViolation> CheckSegregationOfDuties(
        IEnumerable<string> roleIds, IEnumerable<GroupReference>? groups = null, IEnumerable<AppRoleReference>? appRoles = null)
    {
        ArgumentNullException.ThrowIfNull(roleIds);
        RoleDefinition[] held = roleIds.Select(Require).DistinctBy(r => r.Id, StringComparer.OrdinalIgnoreCase).ToArray();
        GroupReference[] directGroups = groups?.ToArray() ?? [];
        AppRoleReference[] directAppRoles = appRoles?.ToArray() ?? [];
        var violations = new List<SegregationOfDutiesViolation>();
        var reportedPairs = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (RoleDefinition role in held)
        {
            foreach (RoleConflict conflict in role.Conflicts)
            {
                if (conflict.Role is string other)
                {
                    if (held.Any(h => string.Equals(h.Id, other, StringComparison.OrdinalIgnoreCase)) && reportedPairs.Add(PairKey(role.Id, other)))
                    {
                        violations.Add(new(role.Id, conflict.ToString(), null, conflict.Reason, conflict));
                    }

                    continue;
                }

                if (conflict.Group is GroupReference group)
                {
                    if (directGroups.Any(group.Matches))
                    {
                        violations.Add(new(role.Id, conflict.ToString(), null, conflict.Reason, conflict));
                    }

                    foreach (RoleDefinition via in held.Where(h => h != role && h.Groups.Any(group.Matches)))
                    {
                        violations.Add(new(role.Id, conflict.ToString(), via.Id, conflict.Reason, conflict));
                    }
                }
                else if (conflict.AppRole is AppRoleReference appRole)
                {
                    if (directAppRoles.Any(appRole.Matches))
                    {
                        violations.Add(new(role.Id, conflict.ToString(), null, conflict.Reason, conflict));
                    }

                    foreach (RoleDefinition via in held.Where(h => h != role && h.AppRoles.Any(appRole.Matches)))
                    {
                        violations.Add(new(role.Id, conflict.ToString(), via.Id, conflict.Reason, conflict));
                    }
                }
            }
        }

        return violations;
    }

    // Edit distance, for "did you mean": a misspelt conflict ('payments-operater') is nearly always one or two edits away.
    private static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        int[] previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int[] current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private static string PairKey(string a, string b) =>
        string.Compare(a, b, StringComparison.OrdinalIgnoreCase) <= 0 ? $"{a}\n{b}" : $"{b}\n{a}";

    private IsmsException NotFound(string value, string what)
    {
        string known = Roles.Count == 0 ? "The catalog has no roles." : $"Roles: {string.Join(", ", Roles.Select(r => r.Id))}.";
        return new IsmsException("IsmsOps.Role.NotFound", IsmsErrorKind.NotFound,
            $"There is no role with the {what} '{value}' in the role catalog ({Source}).",
            $"Use a role id from the catalog (Get-IsmsRole lists them), or add the role to policies/roles. {known}", value);
    }

    private static void CheckAcrossFiles(List<RoleFileReader.ParsedRole> parsed, PolicyErrorList errors)
    {
        var first = new Dictionary<string, RoleFileReader.ParsedRole>(StringComparer.OrdinalIgnoreCase);
        foreach (RoleFileReader.ParsedRole role in parsed.Where(p => p.Id is not null))
        {
            if (first.TryGetValue(role.Id!, out RoleFileReader.ParsedRole? earlier))
            {
                errors.Add(role.IdNode!.Problem($"the role id '{role.Id}' is already defined at {earlier.IdNode!.File.Path}:{earlier.IdNode.Line}:{earlier.IdNode.Column}.",
                    "Give each role its own id (ids are compared without regard to case), or remove one of the two definitions."));
            }
            else
            {
                first[role.Id!] = role;
            }
        }

        foreach (RoleFileReader.ParsedRole role in parsed.Where(p => p.Id is not null))
        {
            foreach ((string other, PolicyNode node) in role.ConflictRoles)
            {
                if (string.Equals(other, role.Id, StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add(node.Problem($"the role '{role.Id}' lists itself as a conflict.",
                        "A role cannot conflict with itself: name another role, a group or an app role, or remove the entry."));
                }
                else if (!first.ContainsKey(other))
                {
                    string? near = first.Keys.Where(k => Distance(k, other) <= 2).MinBy(k => Distance(k, other));
                    errors.Add(node.Problem($"{node.Name} names the role '{other}', which is not in the catalog.",
                        near is not null ? $"Did you mean '{near}'?" : $"Use the id of a role defined in the catalog ({string.Join(", ", first.Keys.Order(StringComparer.OrdinalIgnoreCase))}), or define the role."));
                }
            }

            if (role.Role is RoleDefinition definition)
            {
                foreach (RoleConflict conflict in definition.Conflicts)
                {
                    bool ownGroup = conflict.Group is not null && definition.Groups.Any(conflict.Group.Matches);
                    bool ownAppRole = conflict.AppRole is not null && definition.AppRoles.Any(conflict.AppRole.Matches);
                    if (ownGroup || ownAppRole)
                    {
                        errors.Add(role.IdNode!.Problem($"the role '{definition.Id}' grants {conflict} as birthright access and also lists it as a conflict.",
                            "Remove it from the role's birthright or from its conflicts."));
                    }
                }
            }
        }
    }
}

/// <summary>The result of <see cref="RoleCatalog.Validate"/>.</summary>
/// <param name="Path">The folder or file checked (full path).</param>
/// <param name="Files">The role files read.</param>
/// <param name="Catalog">The catalog, when there are no errors; otherwise null.</param>
/// <param name="Errors">Every problem, file by file in name order, each in file order.</param>
public sealed record RoleCatalogValidation(string Path, IReadOnlyList<string> Files, RoleCatalog? Catalog, IReadOnlyList<PolicyError> Errors)
{
    /// <summary>True when every file is valid.</summary>
    public bool IsValid => Errors.Count == 0;
}
