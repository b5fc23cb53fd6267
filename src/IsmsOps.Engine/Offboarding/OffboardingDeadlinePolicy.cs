using IsmsOps.Engine.People;

namespace IsmsOps.Engine.Offboarding;

/// <summary>
/// How long access may outlive a leaver's effective date, by employment type and urgency. The defaults follow the
/// common audit expectation of one business day (ISO/IEC 27001:2022 A.5.18, A.6.5); an organisation sets its own by
/// creating the policy with other values.
/// </summary>
public sealed record OffboardingDeadlinePolicy
{
    /// <summary>24 hours for everyone standard, at once for Immediate.</summary>
    public static OffboardingDeadlinePolicy Default { get; } = new();

    /// <summary>The window for a standard leaver whose employment type has no entry in <see cref="StandardByEmploymentType"/>, and for a directory-only leaver.</summary>
    public TimeSpan Standard { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Windows per employment type for standard leavers. Empty by default: every type gets <see cref="Standard"/>.</summary>
    public IReadOnlyDictionary<EmploymentType, TimeSpan> StandardByEmploymentType { get; init; } = new Dictionary<EmploymentType, TimeSpan>();

    /// <summary>The window for an immediate (hostile) leaver: zero, so the case is due the moment it takes effect.</summary>
    public TimeSpan Immediate { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// When access must be gone. Counted from the effective date, not from when the case was opened: a case opened
    /// late is overdue from the start, which is the evidence that notice of leavers arrives late.
    /// </summary>
    public DateTimeOffset DueAt(EmploymentType? employmentType, OffboardingUrgency urgency, DateTimeOffset effectiveDate) =>
        effectiveDate + WindowFor(employmentType, urgency);

    public TimeSpan WindowFor(EmploymentType? employmentType, OffboardingUrgency urgency) =>
        urgency == OffboardingUrgency.Immediate ? Immediate
        : employmentType is EmploymentType type && StandardByEmploymentType.TryGetValue(type, out TimeSpan window) ? window
        : Standard;
}
