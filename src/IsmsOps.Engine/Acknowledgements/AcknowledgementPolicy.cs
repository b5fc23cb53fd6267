using IsmsOps.Engine.Policies;

namespace IsmsOps.Engine.Acknowledgements;

/// <summary>The version of one document or course that is in force: an acknowledgement of any other version is not current.</summary>
/// <param name="Kind">The kind of document.</param>
/// <param name="Name">The document's or course's name, as acknowledgements record it (compared without regard to case).</param>
/// <param name="Version">The version in force (compared without regard to case).</param>
/// <param name="Source">Where the policy names it: <c>file:line:column</c>, or "built-in defaults".</param>
public sealed record CurrentDocumentVersion(AcknowledgementKind Kind, string Name, string Version, string Source);

/// <summary>
/// What <c>policies/acknowledgements.yaml</c> sets: how long each kind of acknowledgement counts when a record names no
/// expiry, and which version of each document or course is in force. Read afresh for each command, like the other
/// policy files, so publishing a new NDA version is an edit of one line.
/// </summary>
public sealed record AcknowledgementPolicy
{
    public const string FileName = "acknowledgements.yaml";

    private const int MaxNameLength = 128;
    private const int MaxVersionLength = 64;

    internal static readonly string[] TopKeys = ["validity", "currentVersions"];

    /// <summary>
    /// The built-in policy, used only when no policy folder holds acknowledgements.yaml: security training lapses after a
    /// year (as the shipped file says), nothing else lapses, and no version is pinned, so any version counts.
    /// </summary>
    public static AcknowledgementPolicy Default { get; } = new();

    /// <summary>How long each kind counts when the record names no expiry; a kind not listed does not lapse.</summary>
    public AcknowledgementValidity Validity { get; init; } = AcknowledgementValidity.Default;

    /// <summary>The version in force of each document or course the policy names; any version counts for one it does not name.</summary>
    public IReadOnlyList<CurrentDocumentVersion> CurrentVersions { get; init; } = [];

    /// <summary>The file it came from, or "built-in defaults".</summary>
    public string Source { get; init; } = "built-in defaults";

    /// <summary>The version of <paramref name="kind"/> <paramref name="name"/> in force, or null when the policy pins none.</summary>
    public string? CurrentVersionOf(AcknowledgementKind kind, string? name)
    {
        string? resolved = string.IsNullOrWhiteSpace(name) ? Acknowledgement.DefaultName(kind) : name.Trim();
        return resolved is null ? null
            : CurrentVersions.FirstOrDefault(c => c.Kind == kind && string.Equals(c.Name, resolved, StringComparison.OrdinalIgnoreCase))?.Version;
    }

    /// <summary>The policy from <paramref name="folder"/>'s acknowledgements.yaml, or <see cref="Default"/> when it has none.</summary>
    public static AcknowledgementPolicy From(PolicyFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return folder.FileFor(FileName) is string path ? Load(path) : Default;
    }

    /// <summary>
    /// Reads <paramref name="path"/>. Both sections are optional: <c>validity</c>, when present, is the complete list of
    /// kinds that lapse (a kind left out does not); <c>currentVersions</c> pins versions. An unknown key or kind, a
    /// duration that is not a positive ISO 8601 duration, a name or version that could never match a record, and a
    /// document named twice are errors that name file:line:column.
    /// </summary>
    public static AcknowledgementPolicy Load(string path)
    {
        PolicyFile file = PolicyFile.Load(path);
        AcknowledgementPolicy policy = new() { Source = path };
        foreach ((string key, _, PolicyNode value) in file.Root.Mapping(TopKeys))
        {
            policy = key == "validity"
                ? policy with { Validity = new AcknowledgementValidity { Periods = ReadValidity(value) } }
                : policy with { CurrentVersions = ReadVersions(value) };
        }

        return policy;
    }

    private static Dictionary<AcknowledgementKind, IsoDuration> ReadValidity(PolicyNode node)
    {
        var periods = new Dictionary<AcknowledgementKind, IsoDuration>();
        foreach ((string key, PolicyNode keyNode, PolicyNode value) in node.Mapping())
        {
            AcknowledgementKind kind = Kind(key, keyNode, node);
            if (!periods.TryAdd(kind, Duration(value)))
            {
                throw keyNode.Error($"{kind} is given twice in {node.Name}.", "Keep one line per kind.");
            }
        }

        return periods;
    }

    private static List<CurrentDocumentVersion> ReadVersions(PolicyNode node)
    {
        var versions = new List<CurrentDocumentVersion>();
        foreach ((string key, PolicyNode keyNode, PolicyNode value) in node.Mapping())
        {
            AcknowledgementKind kind = Kind(key, keyNode, node);
            if (versions.Any(v => v.Kind == kind))
            {
                throw keyNode.Error($"{kind} is given twice in {node.Name}.", $"Keep one {kind} entry, listing every document under it.");
            }

            if (!value.IsMapping)
            {
                // Terms and conditions and the NDA have one document each, so a plain version names it.
                string? defaultName = Acknowledgement.DefaultName(kind);
                if (defaultName is null)
                {
                    throw value.Error($"{value.Name} must list each {kind} by name with its version, not a single value.",
                        $"Write one line per document under {kind}, such as 'Acceptable Use Policy: \"3.1\"'.");
                }

                versions.Add(new CurrentDocumentVersion(kind, defaultName, Version(value), At(value)));
                continue;
            }

            foreach ((string name, PolicyNode nameNode, PolicyNode version) in value.Mapping())
            {
                string trimmed = name.Trim();
                if (trimmed.Length > MaxNameLength || trimmed.Any(char.IsControl))
                {
                    throw nameNode.Error($"the name '{trimmed}' in {value.Name} is longer than {MaxNameLength} characters or holds control characters, so no acknowledgement could match it.",
                        "Write the document's or course's name exactly as acknowledgements record it.");
                }

                if (versions.FirstOrDefault(v => v.Kind == kind && string.Equals(v.Name, trimmed, StringComparison.OrdinalIgnoreCase)) is CurrentDocumentVersion earlier)
                {
                    throw nameNode.Error($"'{trimmed}' is given twice in {value.Name} (first at {earlier.Source}).",
                        "Keep one line per document: its version in force.");
                }

                versions.Add(new CurrentDocumentVersion(kind, trimmed, Version(version), At(version)));
            }
        }

        return versions;
    }

    private static AcknowledgementKind Kind(string key, PolicyNode keyNode, PolicyNode parent)
    {
        // Exact names only: Enum.TryParse would also take "2" or "Policy, SecurityTraining".
        if (Enum.GetNames<AcknowledgementKind>().Contains(key, StringComparer.Ordinal))
        {
            return Enum.Parse<AcknowledgementKind>(key);
        }

        string? near = Enum.GetNames<AcknowledgementKind>().FirstOrDefault(n => string.Equals(n, key, StringComparison.OrdinalIgnoreCase));
        throw keyNode.Error($"'{key}' in {parent.Name} is not a kind of acknowledgement.",
            near is not null ? $"Write it as '{near}' (kinds are case-sensitive)." : $"Use one of {string.Join(", ", Enum.GetNames<AcknowledgementKind>())}.");
    }

    private static IsoDuration Duration(PolicyNode node)
    {
        string text = node.Scalar();
        if (!IsoDuration.TryParse(text, out IsoDuration duration))
        {
            throw node.Error($"{node.Name} is '{text}', which is not an ISO 8601 duration.",
                "Write a duration such as P1Y (a year), P6M (six months) or P90D (90 days); leave the kind out if it never lapses.");
        }

        DateTimeOffset start = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        // Expiry is a calendar day after the day of acceptance, so anything shorter than a day would expire it at once.
        return duration.AddTo(start) >= start.AddDays(1)
            ? duration
            : throw node.Error($"{node.Name} is '{text}': an acknowledgement must count for at least a day.",
                "Give a period of a day or more, such as P1Y; leave the kind out if it never lapses.");
    }

    private static string Version(PolicyNode node)
    {
        string text = node.Scalar().Trim();
        return text.Length is > 0 and <= MaxVersionLength && !text.Any(char.IsControl)
            ? text
            : throw node.Error($"{node.Name} is '{text}', which is not a version an acknowledgement could record (1 to {MaxVersionLength} characters, no control characters).",
                "Write the version as the document's owner numbers it, in quotes: \"2.0\".");
    }

    private static string At(PolicyNode node) => $"{node.File.Path}:{node.Line}:{node.Column}";
}
