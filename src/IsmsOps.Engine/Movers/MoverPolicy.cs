using IsmsOps.Engine.Policies;

namespace IsmsOps.Engine.Movers;

/// <summary>
/// What <c>policies/movers.yaml</c> sets: how long a mover keeps the old role's access after a role change.
/// </summary>
/// <param name="Overlap">The handover window for an ordinary old role (default 14 days).</param>
/// <param name="PrivilegedOverlap">The window when the old role is privileged (default none: removed at once).</param>
/// <param name="Source">The file it came from, or "built-in defaults".</param>
public sealed record MoverPolicy(TimeSpan Overlap, TimeSpan PrivilegedOverlap, string Source)
{
    public const string FileName = "movers.yaml";

    private static readonly string[] Keys = ["overlap", "privilegedOverlap"];

    public static MoverPolicy Default { get; } = new(TimeSpan.FromDays(14), TimeSpan.Zero, "built-in defaults");

    /// <summary>The policy from <paramref name="folder"/>'s movers.yaml, or the defaults when it has none.</summary>
    public static MoverPolicy From(PolicyFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return folder.FileFor(FileName) is string path ? Load(path) : Default;
    }

    /// <summary>
    /// Reads <paramref name="path"/>. Both keys are optional; an unknown key, and a value that is not a fixed-length
    /// ISO 8601 duration, are errors naming file:line:column.
    /// </summary>
    public static MoverPolicy Load(string path)
    {
        PolicyFile file = PolicyFile.Load(path);
        MoverPolicy policy = Default with { Source = path };
        foreach ((string key, _, PolicyNode value) in file.Root.Mapping(Keys))
        {
            policy = key == "overlap" ? policy with { Overlap = Window(value) } : policy with { PrivilegedOverlap = Window(value) };
        }

        return policy;
    }

    /// <summary>The overlap for a move whose old roles include a privileged one (<paramref name="privileged"/>) or not.</summary>
    public TimeSpan OverlapFor(bool privileged) => privileged ? PrivilegedOverlap : Overlap;

    private static TimeSpan Window(PolicyNode node)
    {
        string text = node.Scalar();
        if (!IsoDuration.TryParse(text, out IsoDuration duration))
        {
            throw node.Error($"{node.Name} is '{text}', which is not an ISO 8601 duration.",
                "Write a duration such as P14D (14 days), P7D, PT24H (24 hours) or PT0S (at once).");
        }

        return duration.IsFixedLength
            ? duration.ToTimeSpan()
            : throw node.Error($"{node.Name} is '{duration}': an overlap needs a fixed length, and years and months have none.",
                "Give the overlap in weeks, days, hours or minutes: P14D, P7D, PT24H, PT0S.");
    }
}
