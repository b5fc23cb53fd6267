using IsmsOps.Engine.Policies;

namespace IsmsOps.Engine.Acknowledgements;

/// <summary>
/// How long an acknowledgement counts when the record does not say: the <c>validity</c> section of
/// <c>policies/acknowledgements.yaml</c> (<see cref="AcknowledgementPolicy"/>). The shipped file has security-awareness
/// training retaken every year (<c>P1Y</c>); accepted documents do not lapse until a new version is in force.
/// </summary>
public sealed record AcknowledgementValidity
{
    /// <summary>The built-in defaults, for a store used without a policy file: security training P1Y, everything else open-ended.</summary>
    public static AcknowledgementValidity Default { get; } = new()
    {
        Periods = new Dictionary<AcknowledgementKind, IsoDuration> { [AcknowledgementKind.SecurityTraining] = new IsoDuration(1, 0, 0, TimeSpan.Zero) },
    };

    /// <summary>The validity of each kind that lapses; a kind not listed does not.</summary>
    public IReadOnlyDictionary<AcknowledgementKind, IsoDuration> Periods { get; init; } = new Dictionary<AcknowledgementKind, IsoDuration>();

    /// <summary>The expiry a record made on <paramref name="acknowledgedOn"/> gets when it names none.</summary>
    public DateTime? ExpiryFor(AcknowledgementKind kind, DateTime acknowledgedOn) =>
        Periods.TryGetValue(kind, out IsoDuration period)
            ? period.AddTo(new DateTimeOffset(DateTime.SpecifyKind(acknowledgedOn.Date, DateTimeKind.Utc))).UtcDateTime.Date
            : null;
}
