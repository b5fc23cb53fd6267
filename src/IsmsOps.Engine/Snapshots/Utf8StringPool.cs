using System.Text;

namespace IsmsOps.Engine.Snapshots;

/// <summary>
/// Hands out one string instance per distinct short ASCII value, looked up by its UTF-8 bytes, so reading an id that
/// was seen before allocates nothing. A snapshot repeats user ids in every membership, owner and assignment, and
/// SKU ids, states and department names on every user; without the pool 500,000 memberships would be 500,000 new
/// strings. Longer or non-ASCII values are rarely repeated and are decoded as usual. Not thread-safe: one per read.
/// </summary>
internal sealed class Utf8StringPool
{
    /// <summary>Longest value pooled, in bytes; ids are 36, UPNs and names mostly shorter than this.</summary>
    public const int MaxPooledLength = 96;

    private string?[] _slots = new string?[1024];
    private int[] _hashes = new int[1024];
    private int _count;

    public int Count => _count;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public string Intern(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxPooledLength || !Ascii.IsValid(utf8))
        {
            return Encoding.UTF8.GetString(utf8);
        }

        int hash = Hash(utf8);
        int mask = _slots.Length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            string? candidate = _slots[i];
            if (candidate is null)
            {
                string created = Encoding.ASCII.GetString(utf8);
                Insert(i, created, hash);
                return created;
            }

            if (_hashes[i] == hash && candidate.Length == utf8.Length && Ascii.Equals(utf8, candidate))
            {
                return candidate;
            }
        }
    }

    /// <summary>The pooled instance of the string token <paramref name="reader"/> is on, read from its bytes when it can be.</summary>
    public string Intern(ref System.Text.Json.Utf8JsonReader reader) =>
        reader.HasValueSequence || reader.ValueIsEscaped ? Intern(reader.GetString()!) : Intern(reader.ValueSpan);

    /// <summary>The pooled instance equal to <paramref name="value"/> (for the rare escaped or split token).</summary>
    public string Intern(string value)
    {
        if (value.Length > MaxPooledLength || !Ascii.IsValid(value))
        {
            return value;
        }

        Span<byte> bytes = stackalloc byte[value.Length];
        Ascii.FromUtf16(value, bytes, out _);
        return Intern(bytes);
    }

    private void Insert(int slot, string value, int hash)
    {
        _slots[slot] = value;
        _hashes[slot] = hash;
        if (++_count * 2 > _slots.Length)
        {
            Grow();
        }
    }

    private void Grow()
    {
        string?[] oldSlots = _slots;
        int[] oldHashes = _hashes;
        _slots = new string?[oldSlots.Length * 2];
        _hashes = new int[oldSlots.Length * 2];
        int mask = _slots.Length - 1;
        for (int j = 0; j < oldSlots.Length; j++)
        {
            if (oldSlots[j] is string value)
            {
                int i = oldHashes[j] & mask;
                while (_slots[i] is not null)
                {
                    i = (i + 1) & mask;
                }

                _slots[i] = value;
                _hashes[i] = oldHashes[j];
            }
        }
    }

    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        var hash = new HashCode();
        hash.AddBytes(utf8);
                return hash.ToHashCode() & 0x7FFFFFFF;
    }
}
