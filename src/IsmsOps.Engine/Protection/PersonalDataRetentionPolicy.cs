using IsmsOps.Engine.People;
using IsmsOps.Engine.Policies;

namespace IsmsOps.Engine.Protection;

/// <summary>
/// How long a leaver's sensitive personal data is kept before <see cref="PersonalDataRemoval"/> may crypto-shred it,
/// counted from their EndDate, per employment type. The default is one year (see policies/offboarding.yaml for why).
/// </summary>
public sealed record PersonalDataRetentionPolicy
{
    /// <summary>One year for everyone.</summary>
    public static PersonalDataRetentionPolicy Default { get; } = new();

    /// <summary>The period for an employment type with no entry in <see cref="ByEmploymentType"/>.</summary>
    public IsoDuration Standard { get; init; } = new(1, 0, 0, TimeSpan.Zero);

    /// <summary>Periods per employment type.</summary>
    public IReadOnlyDictionary<EmploymentType, IsoDuration> ByEmploymentType { get; init; } = new Dictionary<EmploymentType, IsoDuration>();

    /// <summary>The period that applies to <paramref name="employmentType"/>.</summary>
    public IsoDuration For(EmploymentType employmentType) =>
        ByEmploymentType.TryGetValue(employmentType, out IsoDuration period) ? period : Standard;
}
