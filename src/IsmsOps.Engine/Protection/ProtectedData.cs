namespace IsmsOps.Engine.Protection;

/// <summary>
/// A person's data key as stored: AES-GCM-wrapped under the master key named by <see cref="MasterKeyId"/>, with the
/// person and key ids as associated data. Deleting this row is what crypto-shreds the person's protected values.
/// </summary>
public sealed record WrappedDataKey
{
    public required string PersonId { get; init; }

    /// <summary>Names the data key (random, "dk-" and 16 hex digits); the removal audit event records it.</summary>
    public required string KeyId { get; init; }

    public required string MasterKeyId { get; init; }

    /// <summary>Format version, nonce, the encrypted 32-byte key, tag (<see cref="SealedBox"/>).</summary>
    public required byte[] Wrapped { get; init; }

    public DateTime CreatedAt { get; init; }
}

/// <summary>
/// One protected value as stored: encrypted under its person's data key, with person id, name and key id as associated
/// data, so the ciphertext decrypts only where it was written.
/// </summary>
public sealed record ProtectedValue
{
    public required string PersonId { get; init; }

    /// <summary>What the value is: a person field (PersonalEmail) or, from the joiners release, a screening note.</summary>
    public required string Name { get; init; }

    public required string KeyId { get; init; }

    public required byte[] Ciphertext { get; init; }

    public DateTime UpdatedAt { get; init; }
}

/// <summary>What a person's protected data consists of, without decrypting it: for -WhatIf and the removal's audit event.</summary>
/// <param name="PersonId">The person.</param>
/// <param name="KeyId">Their data key's id, or null when they have none.</param>
/// <param name="Names">The names of their protected values, sorted.</param>
public sealed record PersonalDataHoldings(string PersonId, string? KeyId, IReadOnlyList<string> Names)
{
    /// <summary>True when there is nothing to destroy.</summary>
    public bool IsEmpty => KeyId is null && Names.Count == 0;
}

/// <summary>The outcome of a master-key rotation: every data key rewrapped from the old key to the new one.</summary>
public sealed record MasterKeyRotation(string? OldKeyId, string NewKeyId, int DataKeysRewrapped);
