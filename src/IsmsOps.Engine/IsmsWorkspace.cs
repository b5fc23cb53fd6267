using IsmsOps.Engine.Acknowledgements;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Onboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Protection;
using IsmsOps.Engine.Screening;
using IsmsOps.Engine.Storage;
using IsmsOps.Engine.Storage.Sqlite;

namespace IsmsOps.Engine;

/// <summary>
/// Everything one store needs, wired together: the store, the audit trail and its signing key, and the registers.
/// The cmdlets, the host and tests open one of these; nothing else constructs the services.
/// </summary>
public sealed class IsmsWorkspace : IDisposable
{
    private readonly CheckpointSigner _signer;

    private readonly Func<OffboardingPolicy> _offboardingPolicy;

    private IsmsWorkspace(StoreLocation location, IIsmsStore store, CheckpointSigner signer, Func<DateTime>? clock, Func<OffboardingPolicy> offboardingPolicy,
        MasterKeySource masterKeys, Func<ScreeningPolicy> screeningPolicy, Func<AcknowledgementPolicy> acknowledgementPolicy, Func<Movers.MoverPolicy> moverPolicy)
    {
        Location = location;
        Store = store;
        _signer = signer;
        _offboardingPolicy = offboardingPolicy;
        Audit = new AuditTrail(store, signer, location.HeadWitnessPath, clock);
        PersonalData = new PersonalDataVault(store, Audit, masterKeys, clock);
        People = new PeopleRegister(store, Audit, clock, PersonalData);
        Offboarding = new OffboardingRegister(store, Audit, clock, () => _offboardingPolicy().Deadlines);
        Acknowledgements = new AcknowledgementRegister(store, Audit, clock, acknowledgementPolicy);
        PersonalDataRemoval = new PersonalDataRemoval(store, Audit, PersonalData, () => _offboardingPolicy().PersonalDataRetention, clock);
        Screening = new ScreeningRegister(store, Audit, PersonalData, screeningPolicy, clock);
        Onboarding = new OnboardingRegister(store, Audit, clock);
        Movers = new Movers.MoverRegister(store, Audit, People, moverPolicy, clock);
        HrEvents = new HrEvents.HrEventProcessor(store, People, Audit, clock, Movers);
        HrFeed = new HrEvents.HrFeedImport(HrEvents, People, clock);
        AccessReviews = new AccessReviews.AccessReviewRegister(store, Audit, clock);
        AccessReviewCompletion = new AccessReviews.AccessReviewCompletion(store, Audit, clock);
        AccessReviewScheduler = new AccessReviews.AccessReviewScheduler(store, Audit, AccessReviews, AccessReviewCompletion, clock);
    }

    public StoreLocation Location { get; }

    public IIsmsStore Store { get; }

    public AuditTrail Audit { get; }

    public PeopleRegister People { get; }

    public OffboardingRegister Offboarding { get; }

    /// <summary>Joiners' onboarding cases: the plan, the screening gate's decisions, and each step.</summary>
    public OnboardingRegister Onboarding { get; }

    /// <summary>Movers' cases: the role change, the new role's grants and the old access to remove after the overlap.</summary>
    public Movers.MoverRegister Movers { get; }

    /// <summary>Acceptances of terms, NDA and policies, and security-training completions, with their history.</summary>
    public AcknowledgementRegister Acknowledgements { get; }

    /// <summary>Background screenings, and whether a person is cleared (or validly waived) for a level.</summary>
    public ScreeningRegister Screening { get; }

    /// <summary>HR events (joiners, movers, leavers) applied to the register exactly once per idempotency key.</summary>
    public HrEvents.HrEventProcessor HrEvents { get; }

    /// <summary>Imports an HR export: compares it with the register and raises joiner, mover and leaver events.</summary>
    public HrEvents.HrFeedImport HrFeed { get; }

    /// <summary>Access review campaigns: their frozen items, reviewers and decisions.</summary>
    public AccessReviews.AccessReviewRegister AccessReviews { get; }

    /// <summary>Completes access review campaigns: removes denied access and stores each item's result.</summary>
    public AccessReviews.AccessReviewCompletion AccessReviewCompletion { get; }

    /// <summary>Runs access reviews unattended: completes auto-apply campaigns past due, reports overdue ones, starts recurring campaigns' next periods.</summary>
    public AccessReviews.AccessReviewScheduler AccessReviewScheduler { get; }

    /// <summary>Sensitive personal data, encrypted per person under keys wrapped by the master key.</summary>
    public PersonalDataVault PersonalData { get; }

    /// <summary>Crypto-shredding of leavers' personal data after the retention period.</summary>
    public PersonalDataRemoval PersonalDataRemoval { get; }

    /// <summary>The offboarding policy in force, read anew on each call (a policy file may have been edited).</summary>
    public OffboardingPolicy OffboardingPolicy => _offboardingPolicy();

    /// <summary>
    /// Opens (creating and migrating on first use) the embedded store at <paramref name="location"/>.
    /// <paramref name="offboardingPolicy"/> supplies the offboarding deadlines and personal-data retention (the
    /// module reads policies/offboarding.yaml through it each time they are needed); built-in defaults without it.
    /// <paramref name="offboardingDeadlines"/>, when given, replaces the policy's deadlines. The personal-data master
    /// key comes from <paramref name="masterKeys"/>, by default <c>$ISMSOPS_MASTER_KEY</c> or the key file beside the store.
    /// <paramref name="screeningPolicy"/> supplies policies/screening.yaml the same way (built-in defaults without it),
    /// <paramref name="acknowledgementPolicy"/> policies/acknowledgements.yaml (validity per kind, versions in force), and
    /// <paramref name="moverPolicy"/> policies/movers.yaml.
    /// </summary>
    public static IsmsWorkspace Open(StoreLocation location, Func<DateTime>? clock = null, OffboardingDeadlinePolicy? offboardingDeadlines = null,
        Func<OffboardingPolicy>? offboardingPolicy = null, MasterKeySource? masterKeys = null, Func<ScreeningPolicy>? screeningPolicy = null,
        Func<AcknowledgementPolicy>? acknowledgementPolicy = null, Func<Movers.MoverPolicy>? moverPolicy = null)
    {
        Func<OffboardingPolicy> policy = offboardingPolicy ?? (() => OffboardingPolicy.Default);
        Func<OffboardingPolicy> effective = offboardingDeadlines is null ? policy : () => policy() with { Deadlines = offboardingDeadlines };
        IIsmsStore store = location.OpenStore();
        try
        {
            RefuseToReplaceAMissingSigningKey(location, store);
            return new IsmsWorkspace(location, store, CheckpointSigner.LoadOrCreate(location.SigningKeyPath), clock, effective,
                masterKeys ?? MasterKeySource.For(location), screeningPolicy ?? (() => ScreeningPolicy.Default),
                acknowledgementPolicy ?? (() => AcknowledgementPolicy.Default), moverPolicy ?? (() => Engine.Movers.MoverPolicy.Default));
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    // A new key is made on first use. But if the trail already has checkpoints, a missing key means it was lost or
    // removed, and quietly making a new one would let anyone re-sign a rewritten trail. A planned rotation puts the
    // old key's public part in keys/trusted first (docs/audit-trail.md), which is what allows a new key here.
    private static void RefuseToReplaceAMissingSigningKey(StoreLocation location, IIsmsStore store)
    {
        if (File.Exists(location.SigningKeyPath))
        {
            return;
        }

        AuditCheckpoint? newest = store.ReadCheckpointsAsync(CancellationToken.None).GetAwaiter().GetResult().MaxBy(c => c.Sequence);
        if (newest is null || CheckpointSigner.TrustedKeyIdsIn(location.KeyDirectory).Contains(newest.KeyId))
        {
            return;
        }

        throw new IsmsException("IsmsOps.Audit.SigningKeyMissing", IsmsErrorKind.SecurityError,
            $"The audit signing key '{location.SigningKeyPath}' is missing, but the trail has checkpoints signed by key {newest.KeyId}. No new key was made.",
            "Restore the key file from backup (or point ISMSOPS_AUDIT_KEY at it). To rotate on purpose, first put the old key's public part in keys/trusted (see docs/audit-trail.md).",
            location.SigningKeyPath);
    }

    /// <summary>Key ids trusted besides the current signing key (public keys in keys/trusted).</summary>
    public IReadOnlyList<string> RetiredTrustedKeyIds() => CheckpointSigner.TrustedKeyIdsIn(Location.KeyDirectory);

    public void Dispose()
    {
        Store.Dispose();
        _signer.Dispose();
    }
}
