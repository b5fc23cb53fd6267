using System.Text.RegularExpressions;
using IsmsOps.Engine.Policies;

namespace IsmsOps.Engine.Screening;

/// <summary>What one level asks for: the checks that apply and how long a clearance lasts.</summary>
/// <param name="Checks">The checks that must be Clear before the screening can be Cleared.</param>
/// <param name="RescreenEvery">How long after completion a Cleared screening must be repeated.</param>
public sealed record ScreeningRequirement(IReadOnlyList<ScreeningCheck> Checks, IsoDuration RescreenEvery)
{
    /// <summary>True when <paramref name="check"/> applies.</summary>
    public bool Requires(ScreeningCheck check) => Checks.Contains(check);
}

/// <summary>
/// What <c>policies/screening.yaml</c> sets: per level, which checks apply and the re-screen interval; per country,
/// replacements for either; and the longest a waiver may run.
/// </summary>
public sealed partial record ScreeningPolicy
{
    public const string FileName = "screening.yaml";

    private static readonly string[] TopKeys = ["levels", "countries", "waivers"];
    private static readonly string[] LevelKeys = ["checks", "rescreenEvery"];
    private static readonly string[] WaiverKeys = ["maxDuration"];

    /// <summary>
    /// The built-in requirements: Basic checks identity and right to work; Standard adds criminal record and
    /// references; Enhanced adds credit and education. Basic and Standard are repeated every 5 years, Enhanced every 3.
    /// Waivers run for at most 90 days.
    /// </summary>
    public static ScreeningPolicy Default { get; } = new()
    {
        Levels = new Dictionary<ScreeningLevel, ScreeningRequirement>
        {
            [ScreeningLevel.Basic] = new([ScreeningCheck.Identity, ScreeningCheck.RightToWork], new IsoDuration(5, 0, 0, TimeSpan.Zero)),
            [ScreeningLevel.Standard] = new([ScreeningCheck.Identity, ScreeningCheck.RightToWork, ScreeningCheck.CriminalRecord, ScreeningCheck.References],
                new IsoDuration(5, 0, 0, TimeSpan.Zero)),
            [ScreeningLevel.Enhanced] = new(Enum.GetValues<ScreeningCheck>(), new IsoDuration(3, 0, 0, TimeSpan.Zero)),
        },
    };

    /// <summary>The requirements per level.</summary>
    public IReadOnlyDictionary<ScreeningLevel, ScreeningRequirement> Levels { get; init; } = new Dictionary<ScreeningLevel, ScreeningRequirement>();

    /// <summary>Per country (upper-case ISO 3166-1 alpha-2) and level, what replaces the level's checks or interval.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<ScreeningLevel, (IReadOnlyList<ScreeningCheck>? Checks, IsoDuration? RescreenEvery)>> Countries { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<ScreeningLevel, (IReadOnlyList<ScreeningCheck>?, IsoDuration?)>>();

    /// <summary>The longest a waiver may run from its approval.</summary>
    public IsoDuration MaxWaiver { get; init; } = new(0, 0, 90, TimeSpan.Zero);

    /// <summary>The file it came from, or "built-in defaults".</summary>
    public string Source { get; init; } = "built-in defaults";

    /// <summary>What <paramref name="level"/> asks for in <paramref name="country"/> (the level's own requirement when the country has no entry).</summary>
    public ScreeningRequirement RequirementFor(ScreeningLevel level, string? country)
    {
        ScreeningRequirement requirement = Levels.TryGetValue(level, out ScreeningRequirement? own) ? own : Default.Levels[level];
        if (country is not null && Countries.TryGetValue(country.ToUpperInvariant(), out var byLevel) && byLevel.TryGetValue(level, out var replace))
        {
            requirement = new ScreeningRequirement(replace.Checks ?? requirement.Checks, replace.RescreenEvery ?? requirement.RescreenEvery);
        }

        return requirement;
    }

    /// <summary>The policy from <paramref name="folder"/>'s screening.yaml, or the defaults when it has none.</summary>
    public static ScreeningPolicy From(PolicyFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return folder.FileFor(FileName) is string path ? Load(path) : Default;
    }

    /// <summary>
    /// Reads <paramref name="path"/>. Every setting is optional (a level left out keeps its built-in requirement); an
    /// unknown key, level, check or country code, a repeated check and a duration that is not ISO 8601 are errors that
    /// name file:line:column.
    /// </summary>
    public static ScreeningPolicy Load(string path)
    {
        PolicyFile file = PolicyFile.Load(path);
        var levels = new Dictionary<ScreeningLevel, ScreeningRequirement>(Default.Levels);
        var countries = new Dictionary<string, IReadOnlyDictionary<ScreeningLevel, (IReadOnlyList<ScreeningCheck>?, IsoDuration?)>>(StringComparer.Ordinal);
        IsoDuration maxWaiver = Default.MaxWaiver;
        foreach ((string key, _, PolicyNode value) in file.Root.Mapping(TopKeys))
        {
            switch (key)
            {
                case "levels":
                    foreach ((ScreeningLevel level, PolicyNode node) in ByLevel(value))
                    {
                        (IReadOnlyList<ScreeningCheck>? checks, IsoDuration? every) = ReadRequirement(node);
                        levels[level] = new ScreeningRequirement(checks ?? levels[level].Checks, every ?? levels[level].RescreenEvery);
                    }

                    break;
                case "countries":
                    foreach ((string country, PolicyNode countryKey, PolicyNode node) in value.Mapping())
                    {
                        if (!CountryCode().IsMatch(country))
                        {
                            throw countryKey.Error($"'{country}' in {value.Name} is not a country code.",
                                "Use the upper-case ISO 3166-1 two-letter code, as Person.Location holds it: GB, DE, US.");
                        }

                        countries[country] = ByLevel(node).ToDictionary(e => e.Level, e => ReadRequirement(e.Node));
                    }

                    break;
                default:
                    foreach ((_, _, PolicyNode node) in value.Mapping(WaiverKeys))
                    {
                        maxWaiver = Duration(node);
                    }

                    break;
            }
        }

        return new ScreeningPolicy { Levels = levels, Countries = countries, MaxWaiver = maxWaiver, Source = path };
    }

    private static List<(ScreeningLevel Level, PolicyNode Node)> ByLevel(PolicyNode node)
    {
        var result = new List<(ScreeningLevel, PolicyNode)>();
        foreach ((string key, PolicyNode keyNode, PolicyNode value) in node.Mapping())
        {
            if (!Enum.TryParse(key, ignoreCase: false, out ScreeningLevel level) || !Enum.IsDefined(level))
            {
                throw keyNode.Error($"'{key}' in {node.Name} is not a screening level.", $"Use {string.Join(", ", Enum.GetNames<ScreeningLevel>())} (case-sensitive).");
            }

            result.Add((level, value));
        }

        return result;
    }

    private static (IReadOnlyList<ScreeningCheck>? Checks, IsoDuration? RescreenEvery) ReadRequirement(PolicyNode node)
    {
        IReadOnlyList<ScreeningCheck>? checks = null;
        IsoDuration? every = null;
        foreach ((string key, _, PolicyNode value) in node.Mapping(LevelKeys))
        {
            if (key == "rescreenEvery")
            {
                every = Duration(value);
                continue;
            }

            var list = new List<ScreeningCheck>();
            foreach (PolicyNode item in value.Sequence())
            {
                string text = item.Scalar();
                if (!Enum.TryParse(text, ignoreCase: false, out ScreeningCheck check) || !Enum.IsDefined(check))
                {
                    throw item.Error($"{item.Name} is '{text}', which is not a screening check.",
                        $"Use {string.Join(", ", Enum.GetNames<ScreeningCheck>())} (case-sensitive).");
                }

                if (list.Contains(check))
                {
                    throw item.Error($"{item.Name} repeats the check '{text}'.", "List each check once.");
                }

                list.Add(check);
            }

            checks = list;
        }

        return (checks, every);
    }

    private static IsoDuration Duration(PolicyNode node)
    {
        string text = node.Scalar();
        return IsoDuration.TryParse(text, out IsoDuration duration) && duration != default
            ? duration
            : throw node.Error($"{node.Name} is '{text}', which is not a positive ISO 8601 duration.",
                "Write a duration such as P3Y (three years), P6M (six months) or P90D (90 days).");
    }

    [GeneratedRegex("^[A-Z]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex CountryCode();
}
