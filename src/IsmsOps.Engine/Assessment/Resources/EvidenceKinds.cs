using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Assessment.Resources;

/// <summary>
/// The kinds of evidence a control can declare under <c>evidence:</c>. A control whose evidence the run lacks is
/// Skipped (NotConnected, NotLicensed, MissingPermission or NoEvidence) rather than passed or failed on a guess.
/// </summary>
public static class EvidenceKinds
{
    /// <summary>The directory: a snapshot or a live Graph connection. Implied by every directory resource type.</summary>
    public const string Directory = "directory";

    /// <summary>People in the register. Implied by person.</summary>
    public const string People = "people";

    /// <summary>Screening records in the register.</summary>
    public const string Screening = "screening";

    /// <summary>Acknowledgements (terms, NDA, policies) in the register.</summary>
    public const string Acknowledgements = "acknowledgements";

    /// <summary>Security-training records in the register.</summary>
    public const string Training = "training";

    /// <summary>Offboarding cases in the register. Implied by offboardingCase.</summary>
    public const string Offboarding = "offboarding";

    /// <summary>Access review campaigns in the register. Implied by accessReview.</summary>
    public const string AccessReviews = "accessReviews";

    /// <summary>The audit trail (always present when a store is open). Implied by auditTrail.</summary>
    public const string AuditTrail = "auditTrail";

    /// <summary>Guest sponsors: snapshots do not hold them yet, so a control that needs them is Skipped with NoEvidence.</summary>
    public const string GuestSponsors = "guestSponsors";

    /// <summary>Every kind a control may name: the register kinds above plus the snapshot's evidence areas.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Directory, People, Screening, Acknowledgements, Training, Offboarding, AccessReviews, AuditTrail, GuestSponsors,
        EvidenceAreas.SignInActivity, EvidenceAreas.AuthenticationRegistration, EvidenceAreas.RoleSchedules, EvidenceAreas.Devices,
        EvidenceAreas.AppRoleAssignments, EvidenceAreas.DelegatedGrants,
    ];

    /// <summary>True for the snapshot evidence areas, which also need the directory.</summary>
    public static bool IsDirectoryArea(string kind) =>
        kind is Directory or GuestSponsors or EvidenceAreas.SignInActivity or EvidenceAreas.AuthenticationRegistration or EvidenceAreas.RoleSchedules
            or EvidenceAreas.Devices or EvidenceAreas.AppRoleAssignments or EvidenceAreas.DelegatedGrants;
}
