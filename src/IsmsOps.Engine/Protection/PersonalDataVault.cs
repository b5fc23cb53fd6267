using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Engine.Protection;

/// <summary>
/// Keeps each person's sensitive values encrypted at rest under a data key of their own, and destroys that key to
/// crypto-shred them. A data key is 256 random bits, made on the person's first protected value and stored only wrapped
/// (AES-256-GCM) under the <see cref="MasterKey"/>, which never enters the database. Values are AES-256-GCM under the
/// data key with the person id, the value's name and the key id as associated data.
/// </summary>
/// <remarks>
/// Everything that holds personal data about one person (contact details now; screening notes and adverse findings in
/// the joiners release) goes through <see cref="ProtectAsync"/> under a name of its own, so one
/// <see cref="ShredAsync"/> removes all of it. Values are shown only through <see cref="ReadAsync"/>, which audits the
/// read (person id and names, never values).
/// </remarks>
public sealed partial class PersonalDataVault
{
    private const int DataKeySize = 32;

    private readonly IIsmsStore _store;
    private readonly AuditTrail _audit;
    private readonly Func<DateTime> _clock;

    public PersonalDataVault(IIsmsStore store, AuditTrail audit, MasterKeySource keys, Func<DateTime>? clock = null)
    {
        _store = store;
        _audit = audit;
        Keys = keys;
        _clock = clock ?? (() => DateTime.UtcNow);
    }

    /// <summary>Where the master key comes from.</summary>
    public MasterKeySource Keys { get; }

    /// <summary>
    /// Stores <paramref name="value"/> for <paramref name="personId"/> under <paramref name="name"/>, encrypted, inside
    /// the caller's transaction (so it commits with the caller's audit event); null deletes it. Makes the person's
    /// data key on first use.
    /// </summary>
    public async Task ProtectAsync(IStoreWriteTransaction transaction, string personId, string name, string? value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ValidateName(name);
        if (value is null)
        {
            await transaction.DeleteProtectedValuesAsync(personId, name, cancellationToken).ConfigureAwait(false);
            return;
        }

        WrappedDataKey? wrapped = await transaction.GetDataKeyAsync(personId, cancellationToken).ConfigureAwait(false);
        byte[] dataKey;
        if (wrapped is null)
        {
            dataKey = RandomNumberGenerator.GetBytes(DataKeySize);
            wrapped = await WrapNewAsync(transaction, personId, dataKey, cancellationToken).ConfigureAwait(false);
            await transaction.InsertDataKeyAsync(wrapped, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            dataKey = Unwrap(wrapped, LoadKeys());
        }

        try
        {
            byte[] box = SealedBox.Seal(dataKey, Encoding.UTF8.GetBytes(value), ValueContext(personId, name, wrapped.KeyId));
            await transaction.UpsertProtectedValueAsync(new ProtectedValue
            {
                PersonId = personId,
                Name = name,
                KeyId = wrapped.KeyId,
                Ciphertext = box,
                UpdatedAt = PeopleRegister.Truncate(_clock()),
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>
    /// Decrypts every protected value of the person inside the caller's transaction, without auditing: for the engine's
    /// own comparisons (is this a change?), never for showing. To show values, use <see cref="ReadAsync"/>.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> UnprotectAsync(IStoreWriteTransaction transaction, string personId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        IReadOnlyList<ProtectedValue> values = await transaction.GetProtectedValuesAsync(personId, cancellationToken).ConfigureAwait(false);
        WrappedDataKey? key = values.Count == 0 ? null : await transaction.GetDataKeyAsync(personId, cancellationToken).ConfigureAwait(false);
        return Decrypt(personId, key, values);
    }

    /// <inheritdoc cref="UnprotectAsync(IStoreWriteTransaction, string, CancellationToken)"/>
    public async Task<IReadOnlyDictionary<string, string>> UnprotectAsync(string personId, CancellationToken cancellationToken)
    {
        IReadOnlyList<ProtectedValue> values = await _store.GetProtectedValuesAsync(personId, cancellationToken).ConfigureAwait(false);
        WrappedDataKey? key = values.Count == 0 ? null : await _store.GetDataKeyAsync(personId, cancellationToken).ConfigureAwait(false);
        return Decrypt(personId, key, values);
    }

    /// <summary>
    /// Decrypts the protected values of each person for someone to see, and audits <c>PersonalData.Read</c> for each
    /// person who had any (person id and the names read, never the values), in one transaction: if the audit event
    /// cannot be written, nothing is returned. Names absent from the result have no value. With
    /// <paramref name="include"/>, only the names it accepts are read and audited (a person's screening notes are not
    /// disclosed by reading their contact details, nor the other way round).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> ReadAsync(IReadOnlyList<string> personIds, OperationContext context,
        CancellationToken cancellationToken, Func<string, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(personIds);
        var result = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        if (personIds.Count == 0)
        {
            return result;
        }

        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var drafts = new List<AuditEventDraft>();
        foreach (string personId in personIds.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            IReadOnlyDictionary<string, string> values = await UnprotectAsync(transaction, personId, cancellationToken).ConfigureAwait(false);
            if (include is not null)
            {
                values = values.Where(v => include(v.Key)).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
            }

            result[personId] = values;
            if (values.Count > 0)
            {
                AuditDetails details = new AuditDetails().Add("PersonId", personId).Add("Fields", NameList(values.Keys));
                drafts.Add(new AuditEventDraft("PersonalData.Read", PeopleRegister.Target(personId), details.ToJson()));
            }
        }

        await _audit.AppendAsync(transaction, drafts, context, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>The person's data key id and value names, read without decrypting anything.</summary>
    public async Task<PersonalDataHoldings> DescribeAsync(string personId, CancellationToken cancellationToken)
    {
        WrappedDataKey? key = await _store.GetDataKeyAsync(personId, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<ProtectedValue> values = await _store.GetProtectedValuesAsync(personId, cancellationToken).ConfigureAwait(false);
        return Holdings(personId, key, values);
    }

    /// <summary>
    /// Crypto-shreds the person inside the caller's transaction: deletes their wrapped data key and every value
    /// encrypted under it. Once committed, the store is checkpointed so that no copy of the deleted rows stays in its
    /// write-ahead log (deleted pages are zeroed, as the store runs with secure_delete). Returns what was destroyed.
    /// </summary>
    public async Task<PersonalDataHoldings> ShredAsync(IStoreWriteTransaction transaction, string personId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        WrappedDataKey? key = await transaction.GetDataKeyAsync(personId, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<ProtectedValue> values = await transaction.GetProtectedValuesAsync(personId, cancellationToken).ConfigureAwait(false);
        PersonalDataHoldings holdings = Holdings(personId, key, values);
        if (holdings.IsEmpty)
        {
            return holdings;
        }

        await transaction.DeleteProtectedValuesAsync(personId, null, cancellationToken).ConfigureAwait(false);
        await transaction.DeleteDataKeyAsync(personId, cancellationToken).ConfigureAwait(false);
        transaction.AfterCommit(_store.PurgeDeletedData);
        return holdings;
    }

    /// <summary>
    /// Rewraps every data key from the current master key to a new one, in one transaction with its audit event
    /// (<c>PersonalData.MasterKeyRotated</c>: old and new key ids and the count). With a key file, the new key is
    /// written to the <c>.next</c> file first and replaces the key file once the transaction commits; a crash in
    /// between leaves both files, and the next use picks the one the data keys are wrapped under. With
    /// <c>$ISMSOPS_MASTER_KEY</c>, the new key comes from <c>$ISMSOPS_MASTER_KEY_NEXT</c>. No value is decrypted.
    /// </summary>
    public async Task<MasterKeyRotation> RotateMasterKeyAsync(OperationContext context, CancellationToken cancellationToken)
    {
        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<WrappedDataKey> wrapped = await transaction.ListDataKeysAsync(cancellationToken).ConfigureAwait(false);
        List<MasterKey> available = LoadKeys();
        try
        {
            MasterKey? current = wrapped.Count > 0
                ? MatchingKey(available, wrapped[0].MasterKeyId)
                : available.FirstOrDefault();
            if (current is not null && current.Source == Keys.NextKeyFilePath)
            {
                Keys.PromoteNextKeyFile();
            }

            using MasterKey next = Keys.PrepareNextKey();
            if (next.KeyId == current?.KeyId)
            {
                throw new IsmsException("IsmsOps.PersonalData.SameMasterKey", IsmsErrorKind.InvalidArgument,
                    $"The new master key is the current one ({next.KeyId}). Nothing was changed.",
                    $"Put a different key in ${MasterKeySource.NextVariable}.");
            }

            foreach (WrappedDataKey row in wrapped)
            {
                byte[] dataKey = Unwrap(row, available);
                try
                {
                    await transaction.UpdateDataKeyAsync(Wrap(row.PersonId, row.KeyId, dataKey, next, row.CreatedAt), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(dataKey);
                }
            }

            AuditDetails details = new AuditDetails()
                .Add("OldKeyId", current?.KeyId)
                .Add("NewKeyId", next.KeyId)
                .Add("DataKeysRewrapped", wrapped.Count);
            await _audit.AppendAsync(transaction, [new AuditEventDraft("PersonalData.MasterKeyRotated", "personal-data:master-key", details.ToJson())],
                context, cancellationToken).ConfigureAwait(false);
            transaction.AfterCommit(Keys.PromoteNextKeyFile);
            transaction.AfterCommit(_store.PurgeDeletedData);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new MasterKeyRotation(current?.KeyId, next.KeyId, wrapped.Count);
        }
        finally
        {
            available.ForEach(k => k.Dispose());
        }
    }

    /// <summary>Checks a value name: 1 to 128 letters, digits, '.', '_', '-', ':' or '/', starting with a letter.</summary>
    public static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || !NameFormat().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a protected value name: use 1 to 128 letters, digits, '.', '_', '-', ':' or '/', starting with a letter.", nameof(name));
        }
    }

    // A new data key is wrapped under the master key the existing data keys use, so the store never mixes keys
    // outside a rotation. Only when no data key exists at all may a missing key file be made: then nothing can be lost.
    private async Task<WrappedDataKey> WrapNewAsync(IStoreWriteTransaction transaction, string personId, byte[] dataKey, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> inUse = await transaction.GetMasterKeyIdsInUseAsync(cancellationToken).ConfigureAwait(false);
        List<MasterKey> available = LoadKeys();
        try
        {
            MasterKey master;
            if (inUse.Count > 0)
            {
                master = MatchingKey(available, inUse[0]);
                if (master.Source == Keys.NextKeyFilePath)
                {
                    Keys.PromoteNextKeyFile();
                }
            }
            else
            {
                master = available.FirstOrDefault() ?? Keys.CreateKeyFile();
                if (!available.Contains(master))
                {
                    available.Add(master);
                }
            }

            string keyId = "dk-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
            return Wrap(personId, keyId, dataKey, master, PeopleRegister.Truncate(_clock()));
        }
        finally
        {
            available.ForEach(k => k.Dispose());
        }
    }

    private static WrappedDataKey Wrap(string personId, string keyId, byte[] dataKey, MasterKey master, DateTime createdAt) => new()
    {
        PersonId = personId,
        KeyId = keyId,
        MasterKeyId = master.KeyId,
        Wrapped = SealedBox.Seal(master.Bytes, dataKey, KeyContext(personId, keyId, master.KeyId)),
        CreatedAt = createdAt,
    };

    private byte[] Unwrap(WrappedDataKey wrapped, IReadOnlyList<MasterKey> available)
    {
        MasterKey master = MatchingKey(available, wrapped.MasterKeyId);
        return SealedBox.Open(master.Bytes, wrapped.Wrapped, KeyContext(wrapped.PersonId, wrapped.KeyId, master.KeyId)) is { Length: DataKeySize } key
            ? key
            : throw new IsmsException("IsmsOps.PersonalData.Undecryptable", IsmsErrorKind.SecurityError,
                $"The data key {wrapped.KeyId} of person '{wrapped.PersonId}' does not open with master key {master.KeyId}: the stored key was altered or belongs to another person. Nothing was changed.",
                "Treat it as a security incident: run Test-IsmsAuditTrail and restore the store from a backup that verifies.", wrapped.PersonId);
    }

    private IReadOnlyDictionary<string, string> Decrypt(string personId, WrappedDataKey? wrapped, IReadOnlyList<ProtectedValue> values)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (values.Count == 0)
        {
            return result;
        }

        if (wrapped is null)
        {
            throw new IsmsException("IsmsOps.PersonalData.Undecryptable", IsmsErrorKind.SecurityError,
                $"Person '{personId}' has protected values but no data key: the key row was deleted outside IsmsOps. The values cannot be read.",
                "Treat it as a security incident: run Test-IsmsAuditTrail and restore the store from a backup that verifies.", personId);
        }

        List<MasterKey> available = LoadKeys();
        byte[] dataKey = Unwrap(wrapped, available);
        available.ForEach(k => k.Dispose());
        try
        {
            foreach (ProtectedValue value in values)
            {
                byte[] plain = SealedBox.Open(dataKey, value.Ciphertext, ValueContext(personId, value.Name, wrapped.KeyId))
                    ?? throw new IsmsException("IsmsOps.PersonalData.Undecryptable", IsmsErrorKind.SecurityError,
                        $"The protected value '{value.Name}' of person '{personId}' does not decrypt under their data key {wrapped.KeyId}: it was altered or copied from another person or field.",
                        "Treat it as a security incident: run Test-IsmsAuditTrail and restore the store from a backup that verifies.", personId);
                result[value.Name] = Encoding.UTF8.GetString(plain);
                CryptographicOperations.ZeroMemory(plain);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }

        return result;
    }

    private List<MasterKey> LoadKeys() => Keys.LoadAvailable().ToList();

    private MasterKey MatchingKey(IReadOnlyList<MasterKey> available, string masterKeyId) =>
        available.FirstOrDefault(k => k.KeyId == masterKeyId)
        ?? throw new IsmsException("IsmsOps.PersonalData.MasterKeyMissing", IsmsErrorKind.SecurityError,
            $"The personal data in this store is wrapped under master key {masterKeyId}, but " +
            (available.Count == 0
                ? $"there is no master key ({(Keys.IsFromEnvironment ? "$" + MasterKeySource.Variable : Keys.KeyFilePath)} is missing). No new key was made, and nothing was changed."
                : $"the key available is {string.Join(" and ", available.Select(k => $"{k.KeyId} from {k.Source}"))}. Nothing was changed."),
            $"Restore the key file '{Keys.KeyFilePath}' from backup, or set ${MasterKeySource.Variable} to the key with id {masterKeyId}.",
            masterKeyId);

    private static PersonalDataHoldings Holdings(string personId, WrappedDataKey? key, IReadOnlyList<ProtectedValue> values) =>
        new(personId, key?.KeyId ?? values.FirstOrDefault()?.KeyId, NameList(values.Select(v => v.Name)));

    private static List<string> NameList(IEnumerable<string> names) => names.Order(StringComparer.Ordinal).ToList();

    // Person ids compare case-insensitively in the register; the associated data uses one spelling of them.
    private static string KeyContext(string personId, string keyId, string masterKeyId) =>
        string.Join('\n', "ismsops/data-key/v1", personId.ToUpperInvariant(), keyId, masterKeyId);

    private static string ValueContext(string personId, string name, string keyId) =>
        string.Join('\n', "ismsops/personal-data/v1", personId.ToUpperInvariant(), name, keyId);


    [GeneratedRegex("^[A-Za-z][A-Za-z0-9._:/-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex NameFormat();
}
