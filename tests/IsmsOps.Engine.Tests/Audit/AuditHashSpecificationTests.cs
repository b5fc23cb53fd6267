using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IsmsOps.Engine.Audit;

namespace IsmsOps.Engine.Tests.Audit;

/// <summary>
/// The event hash is a published format (docs/audit-trail.md): auditors recompute it with their own tools, and every
/// stored trail depends on it. These tests hold the implementation to the specification, written out here the plain
/// way, so that a faster implementation cannot drift by a byte.
/// </summary>
public sealed class AuditHashSpecificationTests
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    [Fact]
    public void A_known_event_has_the_hash_it_always_had()
    {
        var e = Event(42, new DateTime(2026, 11, 23, 19, 49, 1, DateTimeKind.Utc).AddTicks(1234567), "CONTOSO\\ada", null,
            "Person.Updated", "person:E1001", "7d1f0a52-3c1e-4f63-9d0e-5a8b0f7e2c11",
            """{"changes":{"department":{"from":"Finance","to":"Research"}}}""", AuditHash.Genesis);

        Assert.Equal(KnownHash, AuditHash.ComputeEventHash(e));
        Assert.Equal(SpecificationHash(e), AuditHash.ComputeEventHash(e));
    }

    [Fact]
    public void Every_event_hashes_as_the_specification_says()
    {
        var random = new Random(20261123);
        for (int i = 0; i < 5_000; i++)
        {
            AuditEvent e = RandomEvent(random, i);
            Assert.Equal(SpecificationHash(e), AuditHash.ComputeEventHash(e));
        }
    }

    [Fact]
    public void A_checkpoint_payload_is_the_specified_bytes()
    {
        var random = new Random(11);
        for (int i = 0; i < 1_000; i++)
        {
            long sequence = random.NextInt64(0, long.MaxValue);
            string head = RandomText(random, 64);
            string time = RandomText(random, 28);
            string key = RandomText(random, 64);
            byte[] expected = Canonical("IsmsOps.AuditCheckpoint.v1\0", [sequence.ToString(CultureInfo.InvariantCulture), head, time, key]);
            Assert.Equal(expected, AuditHash.CheckpointPayload(sequence, head, time, key));
        }
    }

    [Fact]
    public void Stored_time_text_round_trips_through_parse_and_format()
    {
        var random = new Random(7);
        for (int i = 0; i < 5_000; i++)
        {
            var time = new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc);
            string text = time.ToString(TimeFormat, CultureInfo.InvariantCulture);
            Assert.Equal(text, AuditEvent.FormatTime(time));
            DateTime parsed = AuditEvent.ParseTime(text);
            Assert.Equal(time.Ticks, parsed.Ticks);
            Assert.Equal(DateTimeKind.Utc, parsed.Kind);
        }
    }

    [Theory]
    [InlineData("2026-11-23T19:49:01.1234567")]
    [InlineData("2026-11-23T19:49:01.1234567+01:00")]
    [InlineData("2026-11-23T19:49:01.123456Z")]
    [InlineData("2026-11-23T19:49:01Z")]
    [InlineData("2026-11-23 19:49:01.1234567Z")]
    [InlineData("2026-13-23T19:49:01.1234567Z")]
    [InlineData("")]
    public void Time_text_in_any_other_form_is_rejected(string text)
    {
        Assert.Throws<FormatException>(() => AuditEvent.ParseTime(text));
    }

    // Computed independently (Python's hashlib over the bytes the specification describes) when this test was written.
    private const string KnownHash = "c324b48064f5b3d137176a98eaa6b007250c2b97942ba0d90fb8d7f8b84e7a3b";

    private static AuditEvent RandomEvent(Random random, int i) => Event(
        i % 7 == 0 ? long.MaxValue - i : random.NextInt64(1, long.MaxValue),
        new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), (DateTimeKind)(i % 3)),
        RandomText(random, i % 11 == 0 ? 0 : 40),
        i % 3 == 0 ? null : RandomText(random, 30),
        RandomText(random, 20),
        RandomText(random, 20),
        Guid.NewGuid().ToString("D"),
        RandomText(random, i % 50 == 0 ? 20_000 : 300),
        i % 5 == 0 ? AuditHash.Genesis : RandomText(random, 64));

    // Mixed ASCII, accented Latin, CJK and astral-plane characters (surrogate pairs), so UTF-8 lengths differ from
    // character counts.
    private static string RandomText(Random random, int maxLength)
    {
        string[] pieces = ["a", "Z", "0", " ", "\"", "\\", "\n", "é", "ß", "漢", "字", "😀", "\u0000"];
        var text = new StringBuilder();
        int length = maxLength == 0 ? 0 : random.Next(maxLength + 1);
        for (int i = 0; i < length; i++)
        {
            text.Append(pieces[random.Next(pieces.Length)]);
        }

        return text.ToString();
    }

    private static AuditEvent Event(long sequence, DateTime time, string actor, string? identity, string action, string target,
        string correlationId, string details, string previousHash) => new()
    {
        Sequence = sequence,
        Time = time,
        Actor = actor,
        Identity = identity,
        Action = action,
        Target = target,
        CorrelationId = correlationId,
        Details = details,
        PreviousHash = previousHash,
        Hash = string.Empty,
    };

    // The specification, literally: tag, then each field as a 4-byte big-endian UTF-8 length and its bytes
    // (0xFFFFFFFF for null); SHA-256; lower-case hex.
    private static string SpecificationHash(AuditEvent e) => Convert.ToHexString(SHA256.HashData(Canonical("IsmsOps.AuditEvent.v1\0",
    [
        e.Sequence.ToString(CultureInfo.InvariantCulture),
        e.Time.ToUniversalTime().ToString(TimeFormat, CultureInfo.InvariantCulture),
        e.Actor, e.Identity, e.Action, e.Target, e.CorrelationId, e.Details, e.PreviousHash,
    ]))).ToLowerInvariant();

    private static byte[] Canonical(string tag, string?[] fields)
    {
        using var bytes = new MemoryStream();
        bytes.Write(Encoding.ASCII.GetBytes(tag));
        var length = new byte[4];
        foreach (string? field in fields)
        {
            byte[]? utf8 = field is null ? null : Encoding.UTF8.GetBytes(field);
            BinaryPrimitives.WriteUInt32BigEndian(length, utf8 is null ? uint.MaxValue : (uint)utf8.Length);
            bytes.Write(length);
            bytes.Write(utf8);
        }

        return bytes.ToArray();
    }
}
