using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Acknowledgements;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Onboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Protection;
using IsmsOps.Engine.Screening;

namespace IsmsOps.Engine.Storage;

/// <summary>
/// The ISMS register and its audit trail. SQLite is the embedded implementation; a shared PostgreSQL store follows
/// the same contract (tests/IsmsOps.Engine.Tests/Storage). Every change happens inside a
/// <see cref="IStoreWriteTransaction"/> together with its audit events, so a change is never stored without its
/// evidence, nor evidence without its change.
/// </summary>
public interface IIsmsStore : IDisposable
{
    /// <summary>Human-readable location (a file path, or a server and database), for messages. Never holds a password.</summary>
    string Description { get; }

    /// <summary>The schema version the store is at.</summary>
    int SchemaVersion { get; }

    /// <summary>Starts a write. Writers are serialised, so the audit chain stays linear.</summary>
    Task<IStoreWriteTransaction> BeginWriteAsync(CancellationToken cancellationToken);

    Task<Person?> GetPersonAsync(string personId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Person>> FindPeopleAsync(PersonQuery query, CancellationToken cancellationToken);

    /// <summary>The case with its steps, or null.</summary>
    Task<OffboardingCase?> GetOffboardingCaseAsync(string caseId, CancellationToken cancellationToken);

    /// <summary>Cases matching the query, with their steps, newest first.</summary>
    Task<IReadOnlyList<OffboardingCase>> FindOffboardingCasesAsync(OffboardingCaseQuery query, CancellationToken cancellationToken);

    /// <summary>Acknowledgements matching the query, ordered by person, kind, name and day (oldest first).</summary>
    Task<IReadOnlyList<Acknowledgement>> FindAcknowledgementsAsync(AcknowledgementQuery query, CancellationToken cancellationToken);

    /// <summary>The screening, or null.</summary>
    Task<ScreeningRecord?> GetScreeningAsync(string screeningId, CancellationToken cancellationToken);

    /// <summary>Screenings matching the query, by PersonId, newest first.</summary>
    Task<IReadOnlyList<ScreeningRecord>> FindScreeningsAsync(ScreeningQuery query, CancellationToken cancellationToken);

    /// <summary>The onboarding case, or null.</summary>
    Task<OnboardingCase?> GetOnboardingCaseAsync(string caseId, CancellationToken cancellationToken);

    /// <summary>Onboarding cases matching the query, newest first.</summary>
    Task<IReadOnlyList<OnboardingCase>> FindOnboardingCasesAsync(OnboardingCaseQuery query, CancellationToken cancellationToken);

    /// <summary>Mover cases matching the query, newest first.</summary>
    Task<IReadOnlyList<Movers.MoverCase>> FindMoverCasesAsync(Movers.MoverCaseQuery query, CancellationToken cancellationToken);

    /// <summary>The access review campaign, or null.</summary>
    Task<AccessReviewCampaign?> GetAccessReviewCampaignAsync(string campaignId, CancellationToken cancellationToken);

    /// <summary>Campaigns matching the query, newest first.</summary>
    Task<IReadOnlyList<AccessReviewCampaign>> FindAccessReviewCampaignsAsync(AccessReviewCampaignQuery query, CancellationToken cancellationToken);

    /// <summary>The reviewers a campaign's items name, by user principal name.</summary>
    Task<IReadOnlyList<AccessReviewer>> GetAccessReviewersAsync(string campaignId, CancellationToken cancellationToken);

    /// <summary>Per reviewer of the campaign: how many items they have, and how many of those are decided.</summary>
    Task<IReadOnlyList<(string ReviewerId, long Assigned, long Decided)>> GetAccessReviewProgressAsync(string campaignId, CancellationToken cancellationToken);

    /// <summary>How many of the campaign's items have a decision.</summary>
    Task<long> CountDecidedAccessReviewItemsAsync(string campaignId, CancellationToken cancellationToken);

    /// <summary>Streams a campaign's items matching the query, in item order (there can be millions: never a list).</summary>
    IEnumerable<AccessReviewItem> ReadAccessReviewItems(AccessReviewItemQuery query, CancellationToken cancellationToken);

    /// <summary>What completing the campaign did to each denied item so far, in item order.</summary>
    Task<IReadOnlyList<AccessReviewApplyResult>> GetAccessReviewResultsAsync(string campaignId, CancellationToken cancellationToken);

    /// <summary>Whether an HR event of <paramref name="kind"/> about <paramref name="personId"/> was ever applied (a hire HR made, say).</summary>
    Task<bool> HasProcessedHrEventAsync(string personId, HrEvents.HrEventKind kind, CancellationToken cancellationToken);

    /// <summary>Events in sequence order. Filtering is the caller's; this streams the whole trail.</summary>
    IEnumerable<AuditEvent> ReadAuditEvents(AuditEventQuery query, CancellationToken cancellationToken);

    Task<IReadOnlyList<AuditCheckpoint>> ReadCheckpointsAsync(CancellationToken cancellationToken);

    Task<long> CountAuditEventsAsync(CancellationToken cancellationToken);

    /// <summary>The person's wrapped data key, or null.</summary>
    Task<WrappedDataKey?> GetDataKeyAsync(string personId, CancellationToken cancellationToken);

    /// <summary>The person's protected values (still encrypted), by name.</summary>
    Task<IReadOnlyList<ProtectedValue>> GetProtectedValuesAsync(string personId, CancellationToken cancellationToken);

    /// <summary>
    /// Makes rows deleted so far unrecoverable from the store's files. SQLite: deleted content is already zeroed in
    /// place (secure_delete), and this folds the write-ahead log, whose older frames may still hold it, into the
    /// database. PostgreSQL: a VACUUM of the personal-data tables (the server's WAL archive and backups are the DBA's;
    /// docs/postgresql.md).
    /// </summary>
    void PurgeDeletedData();
}

/// <summary>One atomic unit of change. Dispose without <see cref="CommitAsync"/> rolls everything back.</summary>
public interface IStoreWriteTransaction : IAsyncDisposable
{
    Task<Person?> GetPersonAsync(string personId, CancellationToken cancellationToken);

    Task InsertPersonAsync(Person person, CancellationToken cancellationToken);

    /// <summary>Replaces the person if its stored version is <paramref name="expectedVersion"/>; false otherwise.</summary>
    Task<bool> UpdatePersonAsync(Person person, long expectedVersion, CancellationToken cancellationToken);

    Task<OffboardingCase?> GetOffboardingCaseAsync(string caseId, CancellationToken cancellationToken);

    /// <summary>Open cases (not completed) of the leaver with this directory object id.</summary>
    Task<IReadOnlyList<OffboardingCase>> FindOpenOffboardingCasesAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Inserts the case and all its steps.</summary>
    Task InsertOffboardingCaseAsync(OffboardingCase offboardingCase, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the case's own fields (status, version, times; not its steps) if its stored version is
    /// <paramref name="expectedVersion"/>; false otherwise.
    /// </summary>
    Task<bool> UpdateOffboardingCaseAsync(OffboardingCase offboardingCase, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>Replaces the step with the same sequence in case <paramref name="caseId"/>; false when there is none.</summary>
    Task<bool> UpdateOffboardingStepAsync(string caseId, OffboardingStep step, CancellationToken cancellationToken);

    Task<IReadOnlyList<Acknowledgement>> FindAcknowledgementsAsync(AcknowledgementQuery query, CancellationToken cancellationToken);

    Task InsertAcknowledgementAsync(Acknowledgement acknowledgement, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the acknowledgement's correctable fields (expiry, evidence, version) if its stored version is
    /// <paramref name="expectedVersion"/>; false otherwise. What was accepted, by whom and when never changes.
    /// </summary>
    Task<bool> UpdateAcknowledgementAsync(Acknowledgement acknowledgement, long expectedVersion, CancellationToken cancellationToken);

    Task<ScreeningRecord?> GetScreeningAsync(string screeningId, CancellationToken cancellationToken);

    Task InsertScreeningAsync(ScreeningRecord screening, CancellationToken cancellationToken);

    /// <summary>Replaces the screening if its stored version is <paramref name="expectedVersion"/>; false otherwise.</summary>
    Task<bool> UpdateScreeningAsync(ScreeningRecord screening, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>The HR event processed under <paramref name="idempotencyKey"/>, or null.</summary>
    Task<HrEvents.ProcessedHrEvent?> GetProcessedHrEventAsync(string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Records an HR event as processed; a second record under the same key fails (the key is unique).</summary>
    Task InsertProcessedHrEventAsync(HrEvents.ProcessedHrEvent processed, CancellationToken cancellationToken);

    Task<WrappedDataKey?> GetDataKeyAsync(string personId, CancellationToken cancellationToken);

    Task<OnboardingCase?> GetOnboardingCaseAsync(string caseId, CancellationToken cancellationToken);

    /// <summary>The person's onboarding case (a person has at most one), or null.</summary>
    Task<OnboardingCase?> FindOnboardingCaseOfAsync(string personId, CancellationToken cancellationToken);

    Task InsertOnboardingCaseAsync(OnboardingCase onboardingCase, CancellationToken cancellationToken);

    /// <summary>Replaces the case (with its steps) if its stored version is <paramref name="expectedVersion"/>; false otherwise.</summary>
    Task<bool> UpdateOnboardingCaseAsync(OnboardingCase onboardingCase, long expectedVersion, CancellationToken cancellationToken);

    Task<Movers.MoverCase?> GetMoverCaseAsync(string caseId, CancellationToken cancellationToken);

    /// <summary>The person's open mover case (neither Completed nor Superseded; at most one), or null.</summary>
    Task<Movers.MoverCase?> FindOpenMoverCaseAsync(string personId, CancellationToken cancellationToken);

    Task InsertMoverCaseAsync(Movers.MoverCase moverCase, CancellationToken cancellationToken);

    /// <summary>Replaces the case if its stored version is <paramref name="expectedVersion"/>; false otherwise.</summary>
    Task<bool> UpdateMoverCaseAsync(Movers.MoverCase moverCase, long expectedVersion, CancellationToken cancellationToken);

    Task<AccessReviewCampaign?> GetAccessReviewCampaignAsync(string campaignId, CancellationToken cancellationToken);

    /// <summary>The campaign whose <see cref="AccessReviewCampaign.PredecessorId"/> is <paramref name="predecessorId"/>, or null.</summary>
    Task<AccessReviewCampaign?> GetAccessReviewSuccessorAsync(string predecessorId, CancellationToken cancellationToken);

    /// <summary>Inserts a campaign's reviewers and every item, in bulk, consuming <paramref name="items"/> once as it goes.</summary>
    Task InsertAccessReviewItemsAsync(string campaignId, IReadOnlyList<AccessReviewer> reviewers, IEnumerable<AccessReviewItem> items,
        CancellationToken cancellationToken);

    /// <summary>Inserts the campaign itself (its items go in through <see cref="InsertAccessReviewItemsAsync"/>).</summary>
    Task InsertAccessReviewCampaignAsync(AccessReviewCampaign campaign, CancellationToken cancellationToken);

    /// <summary>The campaign's reviewers.</summary>
    Task<IReadOnlyList<AccessReviewer>> GetAccessReviewersAsync(string campaignId, CancellationToken cancellationToken);

    /// <summary>The item, or null.</summary>
    Task<AccessReviewItem?> GetAccessReviewItemAsync(string campaignId, long itemId, CancellationToken cancellationToken);

    /// <summary>Stores the item's decision (decision, justification, decided by and at, version) if its stored version is <paramref name="expectedVersion"/>; false otherwise.</summary>
    Task<bool> UpdateAccessReviewDecisionAsync(AccessReviewItem item, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>Stores the campaign (its status) if its stored version is <paramref name="expectedVersion"/>; false otherwise.</summary>
    Task<bool> UpdateAccessReviewCampaignAsync(AccessReviewCampaign campaign, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>Inserts apply results, replacing an item's earlier result.</summary>
    Task SaveAccessReviewResultsAsync(IReadOnlyList<AccessReviewApplyResult> results, CancellationToken cancellationToken);

    /// <summary>The campaign's stored apply results, in item order.</summary>
    Task<IReadOnlyList<AccessReviewApplyResult>> GetAccessReviewResultsAsync(string campaignId, CancellationToken cancellationToken);

    Task InsertDataKeyAsync(WrappedDataKey key, CancellationToken cancellationToken);

    /// <summary>Replaces the wrapping of the person's data key (a master-key rotation); false when there is none.</summary>
    Task<bool> UpdateDataKeyAsync(WrappedDataKey key, CancellationToken cancellationToken);

    /// <summary>Deletes the person's wrapped data key; false when there was none.</summary>
    Task<bool> DeleteDataKeyAsync(string personId, CancellationToken cancellationToken);

    /// <summary>Every wrapped data key, for a rotation.</summary>
    Task<IReadOnlyList<WrappedDataKey>> ListDataKeysAsync(CancellationToken cancellationToken);

    /// <summary>The distinct master key ids the stored data keys are wrapped under (one, outside a rotation).</summary>
    Task<IReadOnlyList<string>> GetMasterKeyIdsInUseAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<ProtectedValue>> GetProtectedValuesAsync(string personId, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces the value with the same person and name.</summary>
    Task UpsertProtectedValueAsync(ProtectedValue value, CancellationToken cancellationToken);

    /// <summary>Deletes the person's value named <paramref name="name"/>, or all of them when it is null; returns how many.</summary>
    Task<int> DeleteProtectedValuesAsync(string personId, string? name, CancellationToken cancellationToken);

    /// <summary>The newest event's sequence and hash, or (0, genesis) for an empty trail.</summary>
    Task<(long Sequence, string Hash)> GetAuditHeadAsync(CancellationToken cancellationToken);

    Task InsertAuditEventsAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken);

    Task InsertCheckpointAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken);

    /// <summary>The checkpoint with the highest sequence number, or null when there is none.</summary>
    Task<AuditCheckpoint?> GetNewestCheckpointAsync(CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="action"/> once the transaction has committed (never if it rolls back).</summary>
    void AfterCommit(Action action);

    /// <summary>
    /// Like <see cref="AfterCommit(Action)"/>, but of all the actions registered under <paramref name="key"/> only the
    /// last one still registered at commit runs: for work where only the newest state matters, such as copying the
    /// newest audit checkpoint out of the store.
    /// </summary>
    void AfterCommit(string key, Action action);

    /// <summary>
    /// Marks a point inside the transaction that <see cref="RollbackToSavepointAsync"/> can return to, undoing what
    /// came after it (including actions registered with AfterCommit since) and keeping what came before.
    /// Savepoints nest; each one is ended by <see cref="ReleaseSavepointAsync"/> or rolled back to and then released.
    /// </summary>
    Task SavepointAsync(string name, CancellationToken cancellationToken);

    /// <summary>Undoes everything since the savepoint <paramref name="name"/>, which stays open until released.</summary>
    Task RollbackToSavepointAsync(string name, CancellationToken cancellationToken);

    /// <summary>Ends the savepoint <paramref name="name"/>, keeping its changes as part of the transaction.</summary>
    Task ReleaseSavepointAsync(string name, CancellationToken cancellationToken);

    /// <summary>Deletes checkpoints with <paramref name="fromSequence"/> &lt;= seq &lt; <paramref name="beforeSequence"/>.</summary>
    Task DeleteCheckpointsAsync(long fromSequence, long beforeSequence, CancellationToken cancellationToken);

    Task CommitAsync(CancellationToken cancellationToken);
}

/// <summary>Which audit events to read. All filters are optional and combine with AND.</summary>
public sealed record AuditEventQuery
{
    public DateTime? StartTime { get; init; }

    public DateTime? EndTime { get; init; }

    /// <summary>Exact correlation id.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Exact targets, case-insensitive (the caller applies wildcards).</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];

    /// <summary>Exact actions, case-insensitive (the caller applies wildcards).</summary>
    public IReadOnlyList<string> Actions { get; init; } = [];

    /// <summary>Only the newest N matching events (still returned oldest first).</summary>
    public int? Newest { get; init; }

    public static AuditEventQuery All { get; } = new();
}
