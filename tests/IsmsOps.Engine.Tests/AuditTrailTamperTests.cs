using IsmsOps.Engine.Audit;

namespace IsmsOps.Engine.Tests;

/// <summary>Someone with write access to the database file changes the trail; verification must say where and how.</summary>
public sealed class AuditTrailTamperTests
{
    private static async Task<TempWorkspace> TrailOfTenAsync()
    {
        var store = new TempWorkspace();
        await store.AppendEventsAsync(10);
        return store;
    }

    private static string RehashWithSequence(AuditEvent e, long sequence, string? details = null, string? previous = null)
    {
        AuditEvent moved = e with { Sequence = sequence, Details = details ?? e.Details, PreviousHash = previous ?? e.PreviousHash };
        return AuditHash.ComputeEventHash(moved);
    }

    [Fact]
    public async Task An_untouched_trail_verifies()
    {
        using TempWorkspace store = await TrailOfTenAsync();
        AuditVerificationResult result = await store.VerifyAsync();
        Assert.True(result.IsValid, result.Message);
        Assert.Equal(10, result.EventCount);
        Assert.Equal(10, result.HeadSequence);
        Assert.Equal(10, result.LastCheckpointSequence);
        Assert.Equal(store.Workspace.Audit.SigningKeyId, result.SigningKeyId);
        Assert.Null(result.Tampering);
    }

    [Fact]
    public async Task Editing_an_events_content_is_reported_as_an_edit_at_that_sequence()
    {
        using TempWorkspace store = await TrailOfTenAsync();
        store.Sql("UPDATE audit_event SET details = '{\"n\":500}' WHERE seq = 5;");
        AuditVerificationResult result = await store.VerifyAsync();
        Assert.False(result.IsValid);
        Assert.Equal(TamperKind.Edit, result.Tampering);
        Assert.Equal(5, result.FirstBadSequence);
    }

    [Fact]
    public async Task Editing_an_event_and_recomputing_its_hash_is_still_an_edit_at_that_sequence()
    {
        using TempWorkspace store = await TrailOfTenAsync();
        AuditEvent fifth = store.Events()[4];
        string forged = RehashWithSequence(fifth, 5, details: "{\"n\":500}");
        store.Sql("UPDATE audit_event SET details = '{\"n\":500}', hash = $h WHERE seq = 5;", ("$h", forged));
        AuditVerificationResult result = await store.VerifyAsync();
        Assert.Equal(TamperKind.Edit, result.Tampering);
        Assert.Equal(5, result.FirstBadSequence);
    }

    [Fact]
    public async Task Deleting_an_event_is_reported_as_a_delete_at_its_sequence()
    {
        using TempWorkspace store = await TrailOfTenAsync();
        store.Sql("DELETE FROM audit_event WHERE seq = 5;");
        AuditVerificationResult result = await store.VerifyAsync();
        Assert.Equal(TamperKind.Delete, result.Tampering);
        Assert.Equal(5, result.FirstBadSequence);
    }

    [Fact]
    public async Task Deleting_an_event_and_renumbering_the_rest_is_still_a_delete()
    {
        using TempWorkspace store = await TrailOfTenAsync();
        store.Sql("DELETE FROM audit_event WHERE seq = 5;");
        for (int seq = 6; seq <= 10; seq++)
        {
            store.Sql("UPDATE audit_event SET seq = $to WHERE seq = $from;", ("$to", seq - 1), ("$from", seq));
        }

        AuditVerificationResult result = await store.VerifyAsync();
        Assert.Equal(TamperKind.Delete, result.Tampering);
        Assert.Equal(5, result.FirstBadSequence);
    }

    [Fact]
    public async Task Inserting_a_well_formed_forged_event_is_reported_as_an_insert()
    {
        using TempWorkspace store = await TrailOfTenAsync();
        List<AuditEvent> events = store.Events();
        for (int seq = 10; seq >= 5; seq--)
        {
            store.Sql("UPDATE audit_event SET seq = $to WHERE seq = $from;", ("$to", seq + 1), ("$from", seq));
        }

        InsertWellFormed(store, events[4] with { Action = "Person.Created", Target = "person:GHOST", PreviousHash = events[3].Hash });

        AuditVerificationResult result = await store.VerifyAsync();
        Assert.Equal(TamperKind.Insert, result.Tampering);
        Assert.Equal(5, result.FirstBadSequence);
    }

    [Fact]
    public async Task Swapping_two_events_is_reported_as_a_reorder()
    {
        using TempWorkspace store = await TrailOfTenAsync();
        store.Sql("UPDATE audit_event SET seq = -1 WHERE seq = 5; UPDATE audit_event SET seq = 5 WHERE seq = 6; UPDATE audit_event SET seq = 6 WHERE seq = -1;");
        AuditVerificationResult result = await store.VerifyAsync();
        Assert.Equal(TamperKind.Reorder, result.Tampering);
        Assert.Equal(5, result.FirstBadSequence);
    }

    [Fact]
    public async Task Removing_the_newest_events_is_reported_as_truncation_by_the_signed_checkpoint()
    {
        using TempWorkspace store = await TrailOfTenAsync();
        store.Sql("DELETE FROM audit_event WHERE seq >= 8;");
        AuditVerificationResult result = await store.VerifyAsync();
        Assert.Equal(TamperKind.Truncation, result.Tampering);
        Assert.Equal(8, result.FirstBadSequence);
        Assert.Equal(7, result.HeadSequence);
    }

    private static void AppendForgedEvent(TempWorkspace store, long sequence, string previousHash) =>
        InsertWellFormed(store, new AuditEvent
        {
            Sequence = sequence, Time = DateTime.UtcNow, Actor = "mallory@host", Action = "Person.Created", Target = "person:GHOST",
            CorrelationId = Guid.NewGuid().ToString("D"), Details = "{}", PreviousHash = previousHash, Hash = string.Empty,
        });

    /// <summary>What a forger with the hash specification can do: store the event with its own hash computed correctly.</summary>
    private static void InsertWellFormed(TempWorkspace store, AuditEvent forged)
    {
        forged = forged with { Hash = AuditHash.ComputeEventHash(forged with { Hash = string.Empty }) };
        store.Sql("INSERT INTO audit_event VALUES ($seq, $time, $actor, NULL, $action, $target, $corr, $details, $prev, $hash);",
            ("$seq", forged.Sequence), ("$time", forged.TimeText), ("$actor", forged.Actor), ("$action", forged.Action), ("$target", forged.Target),
            ("$corr", forged.CorrelationId), ("$details", forged.Details), ("$prev", forged.PreviousHash), ("$hash", forged.Hash));
    }

    [Fact]
    public async Task A_well_formed_event_added_after_the_newest_checkpoint_is_an_insert_and_IsmsOps_will_not_sign_over_it()
    {
        using TempWorkspace store = await TrailOfTenAsync();
        AppendForgedEvent(store, 11, store.Events()[^1].Hash);

        AuditVerificationResult result = await store.VerifyAsync();
        Assert.Equal(TamperKind.Insert, result.Tampering);
        Assert.Equal(11, result.FirstBadSequence);

        IsmsException refused = await Assert.ThrowsAsync<IsmsException>(() => store.AppendEventsAsync(1));
        Assert.Equal("IsmsOps.Audit.HeadNotSigned", refused.ErrorId);
        Assert.Equal(11, store.Events().Count);
        Assert.Equal(TamperKind.Insert, (await store.VerifyAsync()).Tampering);
    }

    [Fact]
    public async Task Deleting_the_newest_events_with_their_checkpoints_is_still_truncation_thanks_to_the_witness_outside_the_database()
    {
        using var store = new TempWorkspace();
        await store.AppendEventsAsync(1500);
        // What remains is a valid, shorter trail ending in the signed anchor at 1,000 and unsigned events after it;
        // remove those too, and only the witness still knows there were 1,500.
        store.Sql("DELETE FROM audit_event WHERE seq > 1000; DELETE FROM audit_checkpoint WHERE seq > 1000;");

        AuditVerificationResult result = await store.VerifyAsync();
        Assert.Equal(TamperKind.Truncation, result.Tampering);
        Assert.Equal(1001, result.FirstBadSequence);
        Assert.Equal("IsmsOps.Audit.HeadNotSigned", (await Assert.ThrowsAsync<IsmsException>(() => store.AppendEventsAsync(1))).ErrorId);

        File.Delete(store.Location.HeadWitnessPath);
        Assert.True((await store.VerifyAsync()).IsValid, "Without the witness, no copy can tell: this is the documented limit.");
    }

    [Fact]
    public async Task A_trail_whose_checkpoints_and_witness_were_all_removed_does_not_verify()
    {
        using TempWorkspace store = await TrailOfTenAsync();
        store.Sql("DELETE FROM audit_checkpoint;");
        File.Delete(store.Location.HeadWitnessPath);

        AuditVerificationResult result = await store.VerifyAsync();
        Assert.False(result.IsValid);
        Assert.Equal(TamperKind.InvalidCheckpoint, result.Tampering);
    }

    [Fact]
    public async Task A_lost_signing_key_is_not_silently_replaced_when_the_trail_has_checkpoints()
    {
        using TempWorkspace store = await TrailOfTenAsync();
        store.Workspace.Dispose();
        File.Delete(store.Location.SigningKeyPath);

        IsmsException error = Assert.Throws<IsmsException>(store.Reopen);
        Assert.Equal("IsmsOps.Audit.SigningKeyMissing", error.ErrorId);
        Assert.Contains("keys/trusted", error.RecommendedAction, StringComparison.Ordinal);
        Assert.False(File.Exists(store.Location.SigningKeyPath));
    }

    [Fact]
    public async Task A_signing_key_file_that_is_not_a_key_is_a_clear_error()
    {
        using TempWorkspace store = await TrailOfTenAsync();
        store.Workspace.Dispose();
        File.WriteAllText(store.Location.SigningKeyPath, "not a key");

        IsmsException error = Assert.Throws<IsmsException>(store.Reopen);
        Assert.Equal("IsmsOps.Audit.SigningKeyInvalid", error.ErrorId);
        Assert.Contains(store.Location.SigningKeyPath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rebuilding_the_chain_consistently_is_caught_by_the_checkpoints_as_a_rewrite_after_the_last_matching_anchor()
    {
        using var store = new TempWorkspace();
        await store.AppendEventsAsync(1500);
        List<AuditEvent> events = store.Events();
        string previous = events[1198].Hash;
        for (int i = 1199; i < events.Count; i++)
        {
            AuditEvent rewritten = events[i] with { Details = "{\"n\":0}", PreviousHash = previous };
            string hash = AuditHash.ComputeEventHash(rewritten);
            store.Sql("UPDATE audit_event SET details = $d, prev_hash = $p, hash = $h WHERE seq = $s;",
                ("$d", rewritten.Details), ("$p", previous), ("$h", hash), ("$s", rewritten.Sequence));
            previous = hash;
        }

        AuditVerificationResult result = await store.VerifyAsync();
        Assert.Equal(TamperKind.Rewrite, result.Tampering);
        Assert.Equal(1001, result.FirstBadSequence);
        Assert.Contains("after sequence 1000", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_newest_checkpoint_of_each_thousand_events_is_kept_and_the_trail_still_verifies()
    {
        using var store = new TempWorkspace();
        await store.AppendEventsAsync(2500);
        IReadOnlyList<AuditCheckpoint> checkpoints = await store.Workspace.Store.ReadCheckpointsAsync(CancellationToken.None);
        Assert.Equal([1000L, 2000L, 2500L], checkpoints.Select(c => c.Sequence).Order());
        Assert.True((await store.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task The_event_count_covers_every_stored_event_even_when_verification_stops_early()
    {
        using TempWorkspace store = await TrailOfTenAsync();
        store.Sql("UPDATE audit_event SET details = '{\"n\":500}' WHERE seq = 5;");
        Assert.Equal(10, (await store.VerifyAsync()).EventCount);
    }

    [Fact]
    public async Task A_rewrite_re_signed_with_another_key_is_rejected_as_an_untrusted_checkpoint()
    {
        using TempWorkspace store = await TrailOfTenAsync();
        List<AuditEvent> events = store.Events();
        string forgedHead = AuditHash.ComputeEventHash(events[9] with { Details = "{\"n\":0}" });
        store.Sql("UPDATE audit_event SET details = '{\"n\":0}', hash = $h WHERE seq = 10;", ("$h", forgedHead));
        store.Sql("DELETE FROM audit_checkpoint;");
        string otherKey = Path.Combine(store.Home, "attacker.pem");
        using (CheckpointSigner attacker = CheckpointSigner.LoadOrCreate(otherKey))
        {
            AuditCheckpoint cp = attacker.Sign(10, forgedHead, DateTime.UtcNow);
            store.Sql("INSERT INTO audit_checkpoint (seq, head_hash, time, key_id, public_key, signature) VALUES (10, $h, $t, $k, $p, $s);",
                ("$h", cp.HeadHash), ("$t", AuditEvent.FormatTime(cp.Time)), ("$k", cp.KeyId), ("$p", cp.PublicKey), ("$s", cp.Signature));
        }

        AuditVerificationResult result = await store.VerifyAsync();
        Assert.Equal(TamperKind.InvalidCheckpoint, result.Tampering);
        Assert.Contains("not trusted", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_checkpoint_with_a_tampered_signature_is_rejected()
    {
        using TempWorkspace store = await TrailOfTenAsync();
        store.Sql("UPDATE audit_checkpoint SET seq = 12 WHERE id = (SELECT max(id) FROM audit_checkpoint);");
        AuditVerificationResult result = await store.VerifyAsync();
        Assert.Equal(TamperKind.InvalidCheckpoint, result.Tampering);
    }

    [Fact]
    public async Task A_retired_key_placed_in_keys_trusted_keeps_old_checkpoints_verifiable_after_rotation()
    {
        using TempWorkspace store = await TrailOfTenAsync();
        string oldKey = store.Location.SigningKeyPath;
        Directory.CreateDirectory(Path.Combine(store.Location.KeyDirectory, "trusted"));
        using (var key = System.Security.Cryptography.ECDsa.Create())
        {
            key.ImportFromPem(File.ReadAllText(oldKey));
            File.WriteAllText(Path.Combine(store.Location.KeyDirectory, "trusted", "retired.pem"), key.ExportSubjectPublicKeyInfoPem());
        }

        store.Workspace.Dispose();
        File.Move(oldKey, oldKey + ".retired");
        store.Reopen();
        AuditVerificationResult withoutTrust = await store.VerifyAsync();
        Assert.Equal(TamperKind.InvalidCheckpoint, withoutTrust.Tampering);

        AuditVerificationResult result = await store.Workspace.Audit.VerifyAsync(store.Workspace.RetiredTrustedKeyIds(), CancellationToken.None);
        Assert.True(result.IsValid, result.Message);
    }
}
