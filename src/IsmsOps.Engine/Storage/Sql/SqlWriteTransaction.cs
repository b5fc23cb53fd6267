using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Acknowledgements;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Onboarding;
using IsmsOps.Engine.Screening;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Protection;
using System.Data;
using System.Data.Common;

namespace IsmsOps.Engine.Storage.Sql;

/// <summary>
/// One write on a store, written once over ADO.NET for both SQLite and PostgreSQL (the access review rows through
/// <see cref="AccessReviewRows"/>): the subclasses supply only the access review bulk writes (each store has its own
/// item insert and results upsert), savepoint statements, error translation and what a broken connection looks like on
/// rollback.
/// </summary>
internal abstract class SqlWriteTransaction : IStoreWriteTransaction
{
    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;
    private readonly List<(string? Key, Action Action)> _afterCommit = [];
    private readonly Stack<(string Name, int AfterCommitCount)> _savepoints = new();
    private bool _committed;

    protected SqlWriteTransaction(DbConnection connection, DbTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    /// <summary>Runs <paramref name="work"/>, turning the store's exceptions into IsmsOps errors.</summary>
    protected abstract T Translate<T>(Func<T> work);

    /// <summary>Opens a savepoint named <paramref name="name"/> (already checked by the caller).</summary>
    protected abstract void Save(string name);

    /// <summary>Rolls back to the open savepoint <paramref name="name"/>, leaving it open.</summary>
    protected abstract void RollbackTo(string name);

    /// <summary>Releases the open savepoint <paramref name="name"/> and every one opened after it.</summary>
    protected abstract void Release(string name);

    /// <summary>Whether a rollback failed only because the connection is already gone (so nothing was stored).</summary>
    protected abstract bool IsBrokenConnection(Exception exception);

    protected abstract void InsertReviewersAndItems(string campaignId, IReadOnlyList<AccessReviewer> reviewers,
        IEnumerable<AccessReviewItem> items, CancellationToken cancellationToken);

    protected abstract void SaveResults(IReadOnlyList<AccessReviewApplyResult> results);

    public Task<Person?> GetPersonAsync(string personId, CancellationToken cancellationToken) =>
        Run(() => StoreSql.ReadPerson(_connection, _transaction, personId));

    public Task InsertPersonAsync(Person person, CancellationToken cancellationToken) => Run(() =>
    {
        using DbCommand command = PersonCommand(person,
            """
            INSERT INTO person (person_id, display_name, user_principal_name, mail, department, job_role, manager_id,
                employment_type, status, start_date, end_date, location, directory_object_id, version, created_at, updated_at,
                personal_data_removed_at)
            VALUES (@person_id, @display_name, @upn, @mail, @department, @job_role, @manager_id,
                @employment_type, @status, @start_date, @end_date, @location, @directory_object_id, @version, @created_at, @updated_at,
                @personal_data_removed_at);
            """);
        return command.ExecuteNonQuery();
    });

    public Task<bool> UpdatePersonAsync(Person person, long expectedVersion, CancellationToken cancellationToken) => Run(() =>
    {
        using DbCommand command = PersonCommand(person,
            """
            UPDATE person SET display_name = @display_name, user_principal_name = @upn, mail = @mail, department = @department,
                job_role = @job_role, manager_id = @manager_id, employment_type = @employment_type, status = @status,
                start_date = @start_date, end_date = @end_date, location = @location, directory_object_id = @directory_object_id,
                version = @version, updated_at = @updated_at, personal_data_removed_at = @personal_data_removed_at
            WHERE person_id = @person_id AND version = @expected_version;
            """);
        command.Parameters.AddWithValue("@expected_version", expectedVersion);
        return command.ExecuteNonQuery() == 1;
    });

    public Task<OffboardingCase?> GetOffboardingCaseAsync(string caseId, CancellationToken cancellationToken) =>
        Run(() => OffboardingRows.Get(_connection, _transaction, caseId));

    public Task<IReadOnlyList<OffboardingCase>> FindOpenOffboardingCasesAsync(string userId, CancellationToken cancellationToken) =>
        Run(() => OffboardingRows.Find(_connection, _transaction, new OffboardingCaseQuery { UserId = userId, OpenOnly = true }));

    public Task InsertOffboardingCaseAsync(OffboardingCase offboardingCase, CancellationToken cancellationToken) => Run(() =>
    {
        OffboardingRows.Insert(_connection, _transaction, offboardingCase);
        return 0;
    });

    public Task<bool> UpdateOffboardingCaseAsync(OffboardingCase offboardingCase, long expectedVersion, CancellationToken cancellationToken) =>
        Run(() => OffboardingRows.Update(_connection, _transaction, offboardingCase, expectedVersion));

    public Task<bool> UpdateOffboardingStepAsync(string caseId, OffboardingStep step, CancellationToken cancellationToken) =>
        Run(() => OffboardingRows.UpdateStep(_connection, _transaction, caseId, step));

    public Task<IReadOnlyList<Acknowledgement>> FindAcknowledgementsAsync(AcknowledgementQuery query, CancellationToken cancellationToken) =>
        Run(() => AcknowledgementRows.Find(_connection, _transaction, query));

    public Task InsertAcknowledgementAsync(Acknowledgement acknowledgement, CancellationToken cancellationToken) => Run(() =>
    {
        AcknowledgementRows.Insert(_connection, _transaction, acknowledgement);
        return 0;
    });

    public Task<bool> UpdateAcknowledgementAsync(Acknowledgement acknowledgement, long expectedVersion, CancellationToken cancellationToken) =>
        Run(() => AcknowledgementRows.Update(_connection, _transaction, acknowledgement, expectedVersion));

    public Task<ScreeningRecord?> GetScreeningAsync(string screeningId, CancellationToken cancellationToken) =>
        Run(() => ScreeningRows.Get(_connection, _transaction, screeningId));

    public Task InsertScreeningAsync(ScreeningRecord screening, CancellationToken cancellationToken) => Run(() =>
    {
        ScreeningRows.Insert(_connection, _transaction, screening);
        return 0;
    });

    public Task<bool> UpdateScreeningAsync(ScreeningRecord screening, long expectedVersion, CancellationToken cancellationToken) =>
        Run(() => ScreeningRows.Update(_connection, _transaction, screening, expectedVersion));

    public Task<OnboardingCase?> GetOnboardingCaseAsync(string caseId, CancellationToken cancellationToken) =>
        Run(() => OnboardingRows.Get(_connection, _transaction, caseId));

    public Task<OnboardingCase?> FindOnboardingCaseOfAsync(string personId, CancellationToken cancellationToken) =>
        Run(() => OnboardingRows.Find(_connection, _transaction, new OnboardingCaseQuery { PersonId = personId }).FirstOrDefault());

    public Task InsertOnboardingCaseAsync(OnboardingCase onboardingCase, CancellationToken cancellationToken) => Run(() =>
    {
        OnboardingRows.Insert(_connection, _transaction, onboardingCase);
        return 0;
    });

    public Task<bool> UpdateOnboardingCaseAsync(OnboardingCase onboardingCase, long expectedVersion, CancellationToken cancellationToken) =>
        Run(() => OnboardingRows.Update(_connection, _transaction, onboardingCase, expectedVersion));

    public Task<AccessReviewCampaign?> GetAccessReviewCampaignAsync(string campaignId, CancellationToken cancellationToken) =>
        Run(() => AccessReviewRows.GetCampaign(_connection, _transaction, campaignId));

    public Task<AccessReviewCampaign?> GetAccessReviewSuccessorAsync(string predecessorId, CancellationToken cancellationToken) =>
        Run(() => AccessReviewRows.GetSuccessor(_connection, _transaction, predecessorId));

    public Task InsertAccessReviewItemsAsync(string campaignId, IReadOnlyList<AccessReviewer> reviewers, IEnumerable<AccessReviewItem> items,
        CancellationToken cancellationToken) => Run(() =>
    {
        InsertReviewersAndItems(campaignId, reviewers, items, cancellationToken);
        return 0;
    });

    public Task InsertAccessReviewCampaignAsync(AccessReviewCampaign campaign, CancellationToken cancellationToken) => Run(() =>
    {
        AccessReviewRows.InsertCampaign(_connection, _transaction, campaign);
        return 0;
    });

    public Task<IReadOnlyList<AccessReviewer>> GetAccessReviewersAsync(string campaignId, CancellationToken cancellationToken) =>
        Run(() => AccessReviewRows.Reviewers(_connection, _transaction, campaignId));

    public Task<AccessReviewItem?> GetAccessReviewItemAsync(string campaignId, long itemId, CancellationToken cancellationToken) =>
        Run(() => AccessReviewRows.FindItems(_connection, _transaction, new AccessReviewItemQuery { CampaignId = campaignId, ItemIds = [itemId] }).SingleOrDefault());

    public Task<bool> UpdateAccessReviewDecisionAsync(AccessReviewItem item, long expectedVersion, CancellationToken cancellationToken) =>
        Run(() => AccessReviewRows.UpdateDecision(_connection, _transaction, item, expectedVersion));

    public Task<bool> UpdateAccessReviewCampaignAsync(AccessReviewCampaign campaign, long expectedVersion, CancellationToken cancellationToken) =>
        Run(() => AccessReviewRows.UpdateCampaign(_connection, _transaction, campaign, expectedVersion));

    public Task SaveAccessReviewResultsAsync(IReadOnlyList<AccessReviewApplyResult> results, CancellationToken cancellationToken) => Run(() =>
    {
        SaveResults(results);
        return 0;
    });

    public Task<IReadOnlyList<AccessReviewApplyResult>> GetAccessReviewResultsAsync(string campaignId, CancellationToken cancellationToken) =>
        Run(() => AccessReviewRows.Results(_connection, _transaction, campaignId));

    public Task<Movers.MoverCase?> GetMoverCaseAsync(string caseId, CancellationToken cancellationToken) =>
        Run(() => MoverRows.Get(_connection, _transaction, caseId));

    public Task<Movers.MoverCase?> FindOpenMoverCaseAsync(string personId, CancellationToken cancellationToken) =>
        Run(() => MoverRows.FindOpen(_connection, _transaction, personId));

    public Task InsertMoverCaseAsync(Movers.MoverCase moverCase, CancellationToken cancellationToken) => Run(() =>
    {
        MoverRows.Insert(_connection, _transaction, moverCase);
        return 0;
    });

    public Task<bool> UpdateMoverCaseAsync(Movers.MoverCase moverCase, long expectedVersion, CancellationToken cancellationToken) =>
        Run(() => MoverRows.Update(_connection, _transaction, moverCase, expectedVersion));

    public Task<HrEvents.ProcessedHrEvent?> GetProcessedHrEventAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        Run(() => HrEventRows.Get(_connection, _transaction, idempotencyKey));

    public Task InsertProcessedHrEventAsync(HrEvents.ProcessedHrEvent processed, CancellationToken cancellationToken) => Run(() =>
    {
        HrEventRows.Insert(_connection, _transaction, processed);
        return 0;
    });

    public Task<WrappedDataKey?> GetDataKeyAsync(string personId, CancellationToken cancellationToken) =>
        Run(() => PersonalDataRows.GetKey(_connection, _transaction, personId));

    public Task InsertDataKeyAsync(WrappedDataKey key, CancellationToken cancellationToken) => Run(() =>
    {
        PersonalDataRows.InsertKey(_connection, _transaction, key);
        return 0;
    });

    public Task<bool> UpdateDataKeyAsync(WrappedDataKey key, CancellationToken cancellationToken) =>
        Run(() => PersonalDataRows.UpdateKey(_connection, _transaction, key));

    public Task<bool> DeleteDataKeyAsync(string personId, CancellationToken cancellationToken) =>
        Run(() => PersonalDataRows.DeleteKey(_connection, _transaction, personId));

    public Task<IReadOnlyList<WrappedDataKey>> ListDataKeysAsync(CancellationToken cancellationToken) =>
        Run(() => PersonalDataRows.ListKeys(_connection, _transaction));

    public Task<IReadOnlyList<string>> GetMasterKeyIdsInUseAsync(CancellationToken cancellationToken) =>
        Run(() => PersonalDataRows.MasterKeyIdsInUse(_connection, _transaction));

    public Task<IReadOnlyList<ProtectedValue>> GetProtectedValuesAsync(string personId, CancellationToken cancellationToken) =>
        Run(() => PersonalDataRows.GetValues(_connection, _transaction, personId));

    public Task UpsertProtectedValueAsync(ProtectedValue value, CancellationToken cancellationToken) => Run(() =>
    {
        PersonalDataRows.UpsertValue(_connection, _transaction, value);
        return 0;
    });

    public Task<int> DeleteProtectedValuesAsync(string personId, string? name, CancellationToken cancellationToken) =>
        Run(() => PersonalDataRows.DeleteValues(_connection, _transaction, personId, name));

    public Task<(long Sequence, string Hash)> GetAuditHeadAsync(CancellationToken cancellationToken) => Run(() =>
    {
        using DbCommand command = Command("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1;");
        using DbDataReader reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetString(1)) : (0L, AuditHash.Genesis);
    });

    public Task InsertAuditEventsAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken) => Run(() =>
    {
        using DbCommand command = Command(
            """
            INSERT INTO audit_event (seq, time, actor, identity, action, target, correlation_id, details, prev_hash, hash)
            VALUES (@seq, @time, @actor, @identity, @action, @target, @corr, @details, @prev, @hash);
            """);
        DbParameter[] p =
        [
            Parameter(command, "@seq", DbType.Int64), Parameter(command, "@time", DbType.String),
            Parameter(command, "@actor", DbType.String), Parameter(command, "@identity", DbType.String),
            Parameter(command, "@action", DbType.String), Parameter(command, "@target", DbType.String),
            Parameter(command, "@corr", DbType.String), Parameter(command, "@details", DbType.String),
            Parameter(command, "@prev", DbType.String), Parameter(command, "@hash", DbType.String),
        ];
        StoreSql.Prepare(command);
        foreach (AuditEvent e in events)
        {
            p[0].Value = e.Sequence;
            p[1].Value = e.TimeText;
            p[2].Value = e.Actor;
            p[3].Value = (object?)e.Identity ?? DBNull.Value;
            p[4].Value = e.Action;
            p[5].Value = e.Target;
            p[6].Value = e.CorrelationId;
            p[7].Value = e.Details;
            p[8].Value = e.PreviousHash;
            p[9].Value = e.Hash;
            command.ExecuteNonQuery();
        }

        return events.Count;
    });

    public Task InsertCheckpointAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken) => Run(() =>
    {
        using DbCommand command = Command(
            "INSERT INTO audit_checkpoint (seq, head_hash, time, key_id, public_key, signature) VALUES (@seq, @head, @time, @key, @pub, @sig);");
        command.Parameters.AddWithValue("@seq", checkpoint.Sequence);
        command.Parameters.AddWithValue("@head", checkpoint.HeadHash);
        command.Parameters.AddWithValue("@time", AuditEvent.FormatTime(checkpoint.Time));
        command.Parameters.AddWithValue("@key", checkpoint.KeyId);
        command.Parameters.AddWithValue("@pub", checkpoint.PublicKey);
        command.Parameters.AddWithValue("@sig", checkpoint.Signature);
        return command.ExecuteNonQuery();
    });

    public Task<AuditCheckpoint?> GetNewestCheckpointAsync(CancellationToken cancellationToken) => Run(() =>
    {
        using DbCommand command = Command(
            "SELECT seq, head_hash, time, key_id, public_key, signature FROM audit_checkpoint ORDER BY seq DESC, id DESC LIMIT 1;");
        using DbDataReader reader = command.ExecuteReader();
        return reader.Read()
            ? new AuditCheckpoint
            {
                Sequence = reader.GetInt64(0),
                HeadHash = reader.GetString(1),
                Time = AuditEvent.ParseTime(reader.GetString(2)),
                KeyId = reader.GetString(3),
                PublicKey = reader.GetString(4),
                Signature = reader.GetString(5),
            }
            : null;
    });

    public void AfterCommit(Action action) => _afterCommit.Add((null, action));

    public void AfterCommit(string key, Action action) => _afterCommit.Add((key, action));

    public Task SavepointAsync(string name, CancellationToken cancellationToken) => Run(() =>
    {
        Save(name);
        _savepoints.Push((name, _afterCommit.Count));
        return 0;
    });

    public Task RollbackToSavepointAsync(string name, CancellationToken cancellationToken) => Run(() =>
    {
        (string open, int count) = Find(name);
        RollbackTo(open);
        // SQLite cancels the savepoints opened after this one; the one rolled back to stays open.
        while (_savepoints.Peek().Name != open)
        {
            _savepoints.Pop();
        }

        _afterCommit.RemoveRange(count, _afterCommit.Count - count);
        return 0;
    });

    public Task ReleaseSavepointAsync(string name, CancellationToken cancellationToken) => Run(() =>
    {
        (string open, _) = Find(name);
        Release(open);
        // Releasing a savepoint releases every savepoint opened after it too.
        while (_savepoints.Pop().Name != open)
        {
        }

        return 0;
    });

    private (string Name, int AfterCommitCount) Find(string name) =>
        _savepoints.FirstOrDefault(s => s.Name == name) is { Name: not null } found
            ? found
            : throw new InvalidOperationException($"No savepoint '{name}' is open in this transaction.");

    public Task DeleteCheckpointsAsync(long fromSequence, long beforeSequence, CancellationToken cancellationToken) => Run(() =>
    {
        using DbCommand command = Command("DELETE FROM audit_checkpoint WHERE seq >= @from AND seq < @before;");
        command.Parameters.AddWithValue("@from", fromSequence);
        command.Parameters.AddWithValue("@before", beforeSequence);
        return command.ExecuteNonQuery();
    });

    public Task CommitAsync(CancellationToken cancellationToken) => Run(() =>
    {
        _transaction.Commit();
        _committed = true;
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _afterCommit.Count; i++)
        {
            if (_afterCommit[i].Key is string key)
            {
                last[key] = i;
            }
        }

        for (int i = 0; i < _afterCommit.Count; i++)
        {
            (string? key, Action action) = _afterCommit[i];
            // A keyed action runs only if it is the last one under its key.
            if (key is null || last[key] == i)
            {
                action();
            }
        }

        return 0;
    });

    public ValueTask DisposeAsync()
    {
        if (!_committed)
        {
            try
            {
                _transaction.Rollback();
            }
            catch (Exception ex) when (IsBrokenConnection(ex))
            {
                // The connection is already broken: the store rolled the transaction back on its own, so nothing of
                // it is stored.
            }
        }

        _transaction.Dispose();
        _connection.Dispose();
        return ValueTask.CompletedTask;
    }

    private DbCommand Command(string sql) => StoreSql.Command(_connection, _transaction, sql);

    private static DbParameter Parameter(DbCommand command, string name, DbType type)
    {
        DbParameter parameter = StoreSql.AddParameter(command, name);
        parameter.DbType = type;
        return parameter;
    }

    private DbCommand PersonCommand(Person p, string sql)
    {
        DbCommand command = Command(sql);
        command.Parameters.AddWithValue("@person_id", p.PersonId);
        command.Parameters.AddWithValue("@display_name", p.DisplayName);
        command.Parameters.AddWithValue("@upn", StoreSql.Db(p.UserPrincipalName));
        command.Parameters.AddWithValue("@mail", StoreSql.Db(p.Mail));
        command.Parameters.AddWithValue("@department", StoreSql.Db(p.Department));
        command.Parameters.AddWithValue("@job_role", StoreSql.Db(p.JobRole));
        command.Parameters.AddWithValue("@manager_id", StoreSql.Db(p.ManagerId));
        command.Parameters.AddWithValue("@employment_type", p.EmploymentType.ToString());
        command.Parameters.AddWithValue("@status", p.Status.ToString());
        command.Parameters.AddWithValue("@start_date", StoreSql.Db(p.StartDate is DateTime start ? StoreSql.FormatDay(start) : null));
        command.Parameters.AddWithValue("@end_date", StoreSql.Db(p.EndDate is DateTime end ? StoreSql.FormatDay(end) : null));
        command.Parameters.AddWithValue("@location", StoreSql.Db(p.Location));
        command.Parameters.AddWithValue("@directory_object_id", StoreSql.Db(p.DirectoryObjectId));
        command.Parameters.AddWithValue("@version", p.Version);
        command.Parameters.AddWithValue("@created_at", AuditEvent.FormatTime(p.CreatedAt));
        command.Parameters.AddWithValue("@updated_at", AuditEvent.FormatTime(p.UpdatedAt));
        command.Parameters.AddWithValue("@personal_data_removed_at", p.PersonalDataRemovedAt is DateTime removed ? AuditEvent.FormatTime(removed) : DBNull.Value);
        return command;
    }

    private Task<T> Run<T>(Func<T> work) => Task.FromResult(Translate(work));
}
