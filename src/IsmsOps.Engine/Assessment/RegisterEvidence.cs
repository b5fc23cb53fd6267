using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Acknowledgements;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Screening;

namespace IsmsOps.Engine.Assessment;

/// <summary>One access review campaign with the progress and results a control reads.</summary>
/// <param name="Campaign">The campaign.</param>
/// <param name="Decided">Items with a decision.</param>
/// <param name="Results">Results of applying the denied items.</param>
public sealed record AccessReviewEvidence(AccessReviewCampaign Campaign, long Decided, IReadOnlyList<AccessReviewApplyResult> Results);

/// <summary>What the ISMS register holds for an assessment, read once per run.</summary>
public sealed record RegisterEvidence
{
    public IReadOnlyList<Person> People { get; init; } = [];

    public IReadOnlyList<ScreeningRecord> Screenings { get; init; } = [];

    public IReadOnlyList<Acknowledgement> Acknowledgements { get; init; } = [];

    public IReadOnlyList<OffboardingCase> OffboardingCases { get; init; } = [];

    public IReadOnlyList<AccessReviewEvidence> AccessReviews { get; init; } = [];

    /// <summary>The audit trail verified during the run; null when no trail was read.</summary>
    public AuditVerificationResult? AuditVerification { get; init; }

    /// <summary>The newest signed checkpoint.</summary>
    public AuditCheckpoint? NewestCheckpoint { get; init; }

    /// <summary>Which acknowledgement versions are in force and how long each kind counts.</summary>
    public AcknowledgementPolicy AcknowledgementPolicy { get; init; } = AcknowledgementPolicy.Default;

    /// <summary>An empty register (fixtures, and runs without a store).</summary>
    public static RegisterEvidence Empty { get; } = new();

    /// <summary>Reads everything a run needs from the workspace's store, and verifies the audit trail.</summary>
    public static async Task<RegisterEvidence> ReadAsync(IsmsWorkspace workspace, AcknowledgementPolicy acknowledgementPolicy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var store = workspace.Store;
        IReadOnlyList<Person> people = await store.FindPeopleAsync(new PersonQuery(), cancellationToken).ConfigureAwait(false);
        IReadOnlyList<ScreeningRecord> screenings = await store.FindScreeningsAsync(new ScreeningQuery(), cancellationToken).ConfigureAwait(false);
        IReadOnlyList<Acknowledgement> acknowledgements = await store.FindAcknowledgementsAsync(AcknowledgementQuery.All, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<OffboardingCase> cases = await store.FindOffboardingCasesAsync(OffboardingCaseQuery.All, cancellationToken).ConfigureAwait(false);
        var reviews = new List<AccessReviewEvidence>();
        foreach (AccessReviewCampaign campaign in await store.FindAccessReviewCampaignsAsync(new AccessReviewCampaignQuery(), cancellationToken).ConfigureAwait(false))
        {
            long decided = await store.CountDecidedAccessReviewItemsAsync(campaign.CampaignId, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<AccessReviewApplyResult> results = await store.GetAccessReviewResultsAsync(campaign.CampaignId, cancellationToken).ConfigureAwait(false);
            reviews.Add(new AccessReviewEvidence(campaign, decided, results));
        }

        AuditVerificationResult verification = await workspace.Audit.VerifyAsync(workspace.RetiredTrustedKeyIds(), cancellationToken).ConfigureAwait(false);
        AuditCheckpoint? newest = await workspace.Audit.NewestCheckpointAsync(cancellationToken).ConfigureAwait(false);
        return new RegisterEvidence
        {
            People = people,
            Screenings = screenings,
            Acknowledgements = acknowledgements,
            OffboardingCases = cases,
            AccessReviews = reviews,
            AuditVerification = verification,
            NewestCheckpoint = newest,
            AcknowledgementPolicy = acknowledgementPolicy,
        };
    }
}
