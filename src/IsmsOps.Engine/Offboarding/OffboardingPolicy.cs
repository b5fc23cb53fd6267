using IsmsOps.Engine.People;
using IsmsOps.Engine.Policies;
using IsmsOps.Engine.Protection;

namespace IsmsOps.Engine.Offboarding;

/// <summary>
/// What <c>policies/offboarding.yaml</c> sets: the offboarding deadlines and how long a leaver's personal data is kept.
/// </summary>
/// <param name="Deadlines">When a case is due, by urgency and employment type.</param>
/// <param name="PersonalDataRetention">How long after leaving personal data may be kept.</param>
/// <param name="Source">The file it came from, or "built-in defaults".</param>
public sealed record OffboardingPolicy(OffboardingDeadlinePolicy Deadlines, PersonalDataRetentionPolicy PersonalDataRetention, string Source)
{
    public const string FileName = "offboarding.yaml";

    private static readonly string[] TopKeys = ["deadlines", "personalDataRetention"];
    private static readonly string[] DeadlineKeys = ["standard", "immediate", "byEmploymentType"];
    private static readonly string[] RetentionKeys = ["default", "byEmploymentType"];

    public static OffboardingPolicy Default { get; } = new(OffboardingDeadlinePolicy.Default, PersonalDataRetentionPolicy.Default, "built-in defaults");

    /// <summary>The policy from <paramref name="folder"/>'s offboarding.yaml, or the defaults when it has none.</summary>
    public static OffboardingPolicy From(PolicyFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return folder.FileFor(FileName) is string path ? Load(path) : Default;
    }

    /// <summary>
    /// Reads <paramref name="path"/>. Every setting is optional (a missing one keeps its default); an unknown key, a
    /// duration that is not ISO 8601 (or, for a deadline, has years or months) and an unknown employment type are
    /// errors that name file:line:column.
    /// </summary>
    public static OffboardingPolicy Load(string path)
    {
        PolicyFile file = PolicyFile.Load(path);
        OffboardingDeadlinePolicy deadlines = OffboardingDeadlinePolicy.Default;
        PersonalDataRetentionPolicy retention = PersonalDataRetentionPolicy.Default;
        foreach ((string key, _, PolicyNode value) in file.Root.Mapping(TopKeys))
        {
            if (key == "deadlines")
            {
                deadlines = ReadDeadlines(value);
            }
            else
            {
                retention = ReadRetention(value);
            }
        }

        return new OffboardingPolicy(deadlines, retention, path);
    }

    private static OffboardingDeadlinePolicy ReadDeadlines(PolicyNode node)
    {
        OffboardingDeadlinePolicy policy = OffboardingDeadlinePolicy.Default;
        foreach ((string key, _, PolicyNode value) in node.Mapping(DeadlineKeys))
        {
            policy = key switch
            {
                "standard" => policy with { Standard = Window(value) },
                "immediate" => policy with { Immediate = Window(value) },
                _ => policy with { StandardByEmploymentType = ByEmploymentType(value, Window) },
            };
        }

        return policy;
    }

    private static PersonalDataRetentionPolicy ReadRetention(PolicyNode node)
    {
        PersonalDataRetentionPolicy policy = PersonalDataRetentionPolicy.Default;
        foreach ((string key, _, PolicyNode value) in node.Mapping(RetentionKeys))
        {
            policy = key == "default"
                ? policy with { Standard = Duration(value) }
                : policy with { ByEmploymentType = ByEmploymentType(value, Duration) };
        }

        return policy;
    }

    private static Dictionary<EmploymentType, T> ByEmploymentType<T>(PolicyNode node, Func<PolicyNode, T> read)
    {
        var result = new Dictionary<EmploymentType, T>();
        foreach ((string key, PolicyNode keyNode, PolicyNode value) in node.Mapping())
        {
            string? name = Enum.GetNames<EmploymentType>().FirstOrDefault(n => string.Equals(n, key, StringComparison.OrdinalIgnoreCase));
            if (name is null)
            {
                throw keyNode.Error($"'{key}' in {node.Name} is not an employment type.",
                    $"Use one of {string.Join(", ", Enum.GetNames<EmploymentType>())}.");
            }

            result[Enum.Parse<EmploymentType>(name)] = read(value);
        }

        return result;
    }

    private static IsoDuration Duration(PolicyNode node)
    {
        string text = node.Scalar();
        return IsoDuration.TryParse(text, out IsoDuration duration)
            ? duration
            : throw node.Error($"{node.Name} is '{text}', which is not an ISO 8601 duration.",
                "Write a duration such as P1Y (a year), P6M (six months), P30D (30 days) or PT24H (24 hours).");
    }

    private static TimeSpan Window(PolicyNode node)
    {
        IsoDuration duration = Duration(node);
        return duration.IsFixedLength
            ? duration.ToTimeSpan()
            : throw node.Error($"{node.Name} is '{duration}': a deadline needs a fixed length, and years and months have none.",
                "Give the deadline in weeks, days, hours or minutes: P7D, PT24H, PT4H, PT0S.");
    }
}
