namespace IsmsOps.Sandbox;

/// <summary>
/// SplitMix64. System.Random's seeded sequence is an implementation detail of the runtime; this one is ours, so a
/// seed names the same tenant and the same fault pattern on every runtime and machine.
/// </summary>
internal sealed class SeedSequence
{
    private ulong _state;

    public SeedSequence(ulong seed) => _state = seed;

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Scramble(_state);
    }

    public int Next(int maxExclusive) => maxExclusive <= 1 ? 0 : (int)(NextUInt64() % (ulong)maxExclusive);

    public int Next(int minInclusive, int maxExclusive) => minInclusive + Next(maxExclusive - minInclusive);

    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public bool Chance(double probability) => NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>A version-4-shaped GUID, so clients that validate GUID format accept it.</summary>
    public Guid NextGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes, NextUInt64());
        BitConverter.TryWriteBytes(bytes[8..], NextUInt64());
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    /// <summary>A value in [0, 1) that depends only on the seed and the position, not on what came before.</summary>
    public static double At(ulong seed, ulong position) => (Scramble(seed ^ (position * 0xD1B54A32D192ED03UL)) >> 11) * (1.0 / (1UL << 53));

    private static ulong Scramble(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
