using System.Text.RegularExpressions;
using IsmsOps.Engine.Policies;
using IsmsOps.Engine.Screening;

namespace IsmsOps.Engine.Roles;

/// <summary>
/// Reads one role file into <see cref="RoleDefinition"/>s, recording every problem and carrying on past it, so one run
/// reports all of a file's mistakes. Problems that need the whole catalog (duplicate ids, conflicts naming unknown
/// roles) are checked by <see cref="RoleCatalog"/> from what this returns.
/// </summary>
internal static partial class RoleFileReader
{
    internal static readonly string[] TopKeys = ["roles"];
    internal static readonly string[] RoleKeys = ["id", "title", "description", "screening", "privileged", "accessReview", "birthright", "conflicts"];
    internal static readonly string[] ScreeningKeys = ["level", "byCountry", "baselineBeforeClearance"];
    internal static readonly string[] BirthrightKeys = ["groups", "licences", "appRoles"];
    internal static readonly string[] GroupKeys = ["objectId", "displayName"];
    internal static readonly string[] LicenceKeys = ["skuPartNumber", "skuId"];
    internal static readonly string[] AppRoleKeys = ["app", "appId", "servicePrincipalId", "value", "id"];
    internal static readonly string[] ConflictKeys = ["role", "group", "appRole", "reason"];

    /// <summary>One role item as read: the definition when it had no error, and the positions the catalog's checks need.</summary>
    internal sealed record ParsedRole(string? Id, PolicyNode? IdNode, RoleDefinition? Role, IReadOnlyList<(string Id, PolicyNode Node)> ConflictRoles);

    public static IReadOnlyList<ParsedRole> Read(string path, PolicyErrorList errors)
    {
        PolicyFile? file = errors.Try(() => PolicyFile.Load(path), null);
        if (file is null)
        {
            return [];
        }

        var roles = new List<ParsedRole>();
        IReadOnlyList<(string Key, PolicyNode KeyNode, PolicyNode Value)> top = errors.Try(() => file.Root.Mapping(TopKeys, errors), []);
        if (file.Root.IsMapping && top.Count == 0 && errors.Errors.All(e => e.File != path))
        {
            errors.Add(file.Root.Problem("the file has no 'roles' list.", "Start the file with 'roles:' and list each role under it, starting with '- id: ...'."));
        }

        foreach ((_, _, PolicyNode list) in top)
        {
            foreach (PolicyNode item in errors.Try(list.Sequence, []))
            {
                roles.Add(ReadRole(item, errors));
            }
        }

        return roles;
    }

    private static ParsedRole ReadRole(PolicyNode node, PolicyErrorList errors)
    {
        int before = errors.Count;
        var entries = errors.Try(() => node.Mapping(RoleKeys, errors), []);
        if (!node.IsMapping)
        {
            return new ParsedRole(null, null, null, []);
        }

        string? id = null, title = null, description = null;
        PolicyNode? idNode = null;
        ScreeningLevel? level = null;
        IsoDuration? review = null;
        bool privileged = false, baseline = false;
        Dictionary<string, ScreeningLevel> byCountry = new(StringComparer.OrdinalIgnoreCase);
        List<GroupReference> groups = [];
        List<LicenceReference> licences = [];
        List<AppRoleReference> appRoles = [];
        List<RoleConflict> conflicts = [];
        List<(string, PolicyNode)> conflictRoles = [];

        foreach ((string key, _, PolicyNode value) in entries)
        {
            switch (key)
            {
                case "id":
                    idNode = value;
                    id = errors.Try(() => RoleId(value), null);
                    break;
                case "title":
                    title = errors.Try(() => Text(value), null);
                    break;
                case "description":
                    description = errors.Try(() => Text(value), null);
                    break;
                case "privileged":
                    privileged = errors.Try(() => Boolean(value), false);
                    break;
                case "accessReview":
                    review = errors.Try<IsoDuration?>(() => Duration(value), null);
                    break;
                case "screening":
                    foreach ((string sKey, _, PolicyNode sValue) in errors.Try(() => value.Mapping(ScreeningKeys, errors), []))
                    {
                        switch (sKey)
                        {
                            case "level":
                                level = errors.Try<ScreeningLevel?>(() => Level(sValue), null);
                                break;
                            case "baselineBeforeClearance":
                                baseline = errors.Try(() => Boolean(sValue), false);
                                break;
                            default:
                                ReadCountries(sValue, byCountry, errors);
                                break;
                        }
                    }

                    break;
                case "birthright":
                    foreach ((string bKey, _, PolicyNode bValue) in errors.Try(() => value.Mapping(BirthrightKeys, errors), []))
                    {
                        foreach (PolicyNode item in errors.Try(bValue.Sequence, []))
                        {
                            switch (bKey)
                            {
                                case "groups":
                                    if (errors.Try(() => Group(item, errors), null) is GroupReference g) groups.Add(g);
                                    break;
                                case "licences":
                                    if (errors.Try(() => Licence(item, errors), null) is LicenceReference l) licences.Add(l);
                                    break;
                                default:
                                    if (errors.Try(() => AppRole(item, errors), null) is AppRoleReference a) appRoles.Add(a);
                                    break;
                            }
                        }
                    }

                    break;
                default:
                    foreach (PolicyNode item in errors.Try(value.Sequence, []))
                    {
                        if (errors.Try(() => Conflict(item, errors, conflictRoles), null) is RoleConflict c) conflicts.Add(c);
                    }

                    break;
            }
        }

        string name = id is null ? node.Name : $"the role '{id}'";
        Require(idNode is not null, "id", "an id, such as 'id: software-engineer'");
        Require(title is not null || entries.Any(e => e.Key == "title"), "title", "a title, such as 'title: Software Engineer'");
        Require(level is not null || entries.Any(e => e.Key == "screening"), "screening", "the screening it requires, such as 'screening: { level: Standard }'");
        if (level is null && entries.FirstOrDefault(e => e.Key == "screening").Value is { IsMapping: true } screening
            && !screening.Mapping(null).Any(e => e.Key == "level"))
        {
            errors.Add(screening.Problem($"{name} has no screening level.", "Add 'level: Basic', 'level: Standard' or 'level: Enhanced' under screening."));
        }

        Require(review is not null || entries.Any(e => e.Key == "accessReview"), "accessReview", "how often its access is reviewed, such as 'accessReview: P6M'");

        RoleDefinition? role = errors.Count > before || id is null || title is null || level is null || review is null
            ? null
            : new RoleDefinition
            {
                Id = id,
                Title = title,
                Description = description,
                ScreeningLevel = level.Value,
                ScreeningLevelByCountry = byCountry,
                BaselineBeforeScreening = baseline,
                Privileged = privileged,
                AccessReview = review.Value,
                Groups = groups,
                Licences = licences,
                AppRoles = appRoles,
                Conflicts = conflicts,
                Source = $"{node.File.Path}:{node.Line}:{node.Column}",
            };
        return new ParsedRole(id, id is null ? null : idNode, role, conflictRoles);

        void Require(bool present, string key, string example)
        {
            if (!present)
            {
                errors.Add(node.Problem($"{name} has no '{key}'.", $"Give the role {example}."));
            }
        }
    }

    private static void ReadCountries(PolicyNode node, Dictionary<string, ScreeningLevel> byCountry, PolicyErrorList errors)
    {
        foreach ((string country, PolicyNode keyNode, PolicyNode value) in errors.Try(() => node.Mapping(null), []))
        {
            if (!CountryCode().IsMatch(country))
            {
                errors.Add(keyNode.Problem($"'{country}' in {node.Name} is not a two-letter ISO 3166-1 country code.", "Write the country as two letters: GB, US, DE."));
                continue;
            }

            if (errors.Try<ScreeningLevel?>(() => Level(value), null) is ScreeningLevel level && !byCountry.TryAdd(country.ToUpperInvariant(), level))
            {
                errors.Add(keyNode.Problem($"the country '{country}' appears twice in {node.Name}.", "Keep one line per country."));
            }
        }
    }

    private static GroupReference Group(PolicyNode node, PolicyErrorList errors)
    {
        Guid? objectId = null;
        string? displayName = null;
        var entries = node.Mapping(GroupKeys, errors);
        foreach ((string key, _, PolicyNode value) in entries)
        {
            if (key == "objectId") objectId = errors.Try<Guid?>(() => Id(value), null);
            else displayName = errors.Try(() => Text(value), null);
        }

        return entries.Count == 0
            ? throw node.Error($"{node.Name} names no group.", "Give the group's objectId, its displayName, or both.")
            : new GroupReference(objectId, displayName);
    }

    private static LicenceReference Licence(PolicyNode node, PolicyErrorList errors)
    {
        Guid? skuId = null;
        string? part = null;
        var entries = node.Mapping(LicenceKeys, errors);
        foreach ((string key, _, PolicyNode value) in entries)
        {
            if (key == "skuId") skuId = errors.Try<Guid?>(() => Id(value), null);
            else part = errors.Try(() => Text(value), null);
        }

        return entries.Count == 0
            ? throw node.Error($"{node.Name} names no licence.", "Give the licence's skuPartNumber (such as ENTERPRISEPACK), its skuId, or both.")
            : new LicenceReference(part, skuId);
    }

    private static AppRoleReference AppRole(PolicyNode node, PolicyErrorList errors)
    {
        Guid? appId = null, servicePrincipalId = null, roleId = null;
        string? app = null, value = null;
        var entries = node.Mapping(AppRoleKeys, errors);
        foreach ((string key, _, PolicyNode item) in entries)
        {
            switch (key)
            {
                case "app": app = errors.Try(() => Text(item), null); break;
                case "appId": appId = errors.Try<Guid?>(() => Id(item), null); break;
                case "servicePrincipalId": servicePrincipalId = errors.Try<Guid?>(() => Id(item), null); break;
                case "value": value = errors.Try(() => Text(item), null); break;
                default: roleId = errors.Try<Guid?>(() => Id(item), null); break;
            }
        }

        if (!entries.Any(e => e.Key is "appId" or "servicePrincipalId"))
        {
            throw node.Error($"{node.Name} names no application.", "Give the application's appId (its client id) or its servicePrincipalId.");
        }

        return !entries.Any(e => e.Key is "value" or "id")
            ? throw node.Error($"{node.Name} names no app role.", "Give the app role's value (such as Approver) or its id.")
            : new AppRoleReference(appId, servicePrincipalId, value, roleId, app);
    }

    private static RoleConflict Conflict(PolicyNode node, PolicyErrorList errors, List<(string, PolicyNode)> conflictRoles)
    {
        string? role = null, reason = null;
        GroupReference? group = null;
        AppRoleReference? appRole = null;
        var entries = node.Mapping(ConflictKeys, errors);
        foreach ((string key, _, PolicyNode value) in entries)
        {
            switch (key)
            {
                case "role":
                    role = errors.Try(() => RoleId(value), null);
                    if (role is not null) conflictRoles.Add((role, value));
                    break;
                case "group": group = errors.Try(() => Group(value, errors), null); break;
                case "appRole": appRole = errors.Try(() => AppRole(value, errors), null); break;
                default: reason = errors.Try(() => Text(value), null); break;
            }
        }

        int targets = entries.Count(e => e.Key is "role" or "group" or "appRole");
        return targets == 1
            ? new RoleConflict(role, group, appRole, reason)
            : throw node.Error(targets == 0 ? $"{node.Name} names nothing to conflict with." : $"{node.Name} names {targets} things; each conflict names one.",
                "Give exactly one of 'role' (a role id), 'group' or 'appRole' per conflict, with an optional 'reason'.");
    }

    private static string RoleId(PolicyNode node)
    {
        string text = Text(node);
        return RoleIdFormat().IsMatch(text)
            ? text
            : throw node.Error($"{node.Name} is '{text}', which is not a role id.",
                "Write a role id as letters, digits, '-', '_' or '.', starting with a letter or digit: finance-controller.");
    }

    private static string Text(PolicyNode node)
    {
        string text;
        try
        {
            text = node.Scalar();
        }
        catch (IsmsException) when (!node.IsMapping && !node.IsSequence)
        {
            throw node.Error($"{node.Name} is empty.", $"Give {node.Name} a value, or remove the line.");
        }

        return string.IsNullOrWhiteSpace(text) ? throw node.Error($"{node.Name} is empty.", $"Give {node.Name} a value, or remove the line.") : text.Trim();
    }

    private static bool Boolean(PolicyNode node)
    {
        string text = Text(node);
        return text switch
        {
            "true" => true,
            "false" => false,
            _ => throw node.Error($"{node.Name} is '{text}', which is neither true nor false.", $"Write {node.Name}: true or {node.Name}: false."),
        };
    }

    private static ScreeningLevel Level(PolicyNode node)
    {
        string text = Text(node);
        string? name = Enum.GetNames<ScreeningLevel>().FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        return name is not null
            ? Enum.Parse<ScreeningLevel>(name)
            : throw node.Error($"{node.Name} is '{text}', which is not a screening level.", "Use Basic, Standard or Enhanced.");
    }

    private static IsoDuration Duration(PolicyNode node)
    {
        string text = Text(node);
        if (!IsoDuration.TryParse(text, out IsoDuration duration))
        {
            throw node.Error($"{node.Name} is '{text}', which is not an ISO 8601 duration.",
                "Write how often access is reviewed as a duration such as P3M (quarterly), P6M or P1Y.");
        }

        return duration.AddTo(DateTimeOffset.UnixEpoch) <= DateTimeOffset.UnixEpoch
            ? throw node.Error($"{node.Name} is '{text}': a review cadence must be longer than zero.", "Write a duration such as P3M, P6M or P1Y.")
            : duration;
    }

    private static Guid Id(PolicyNode node)
    {
        string text = Text(node);
        return Guid.TryParse(text, out Guid id)
            ? id
            : throw node.Error($"{node.Name} is '{text}', which is not an object id (a GUID).",
                "Copy the id from the Entra admin centre or Graph: 8-4-4-4-12 hexadecimal digits.");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex RoleIdFormat();

    [GeneratedRegex("^[A-Za-z]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex CountryCode();
}
