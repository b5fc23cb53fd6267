using IsmsOps.Engine.Audit;

namespace IsmsOps.Engine.Tests;

/// <summary>An auditor receives an export and checks it offline; someone may have edited the file on the way.</summary>
public sealed class AuditExportTests : IDisposable
{
    private readonly TempWorkspace _store = new();
    private readonly string _path;

    public AuditExportTests()
    {
        _path = Path.Combine(_store.Home, "evidence", "trail.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
    }

    private async Task<AuditExportResult> ExportTenAsync()
    {
        await _store.AppendEventsAsync(10);
        return await _store.Workspace.Audit.ExportAsync(_path, overwrite: false, CancellationToken.None);
    }

    private AuditVerificationResult VerifyExport(IReadOnlyCollection<string>? trusted = null) => AuditExport.Verify(_path, trusted, CancellationToken.None);

    private void EditLines(Func<List<string>, List<string>> edit)
    {
        List<string> lines = File.ReadAllLines(_path).ToList();
        File.WriteAllText(_path, string.Join("\n", edit(lines)) + "\n");
    }

    [Fact]
    public async Task An_export_verifies_offline_and_names_the_signing_key()
    {
        AuditExportResult export = await ExportTenAsync();
        Assert.Equal(10, export.EventCount);
        Assert.True(File.Exists(export.ManifestPath));

        AuditVerificationResult result = VerifyExport([_store.Workspace.Audit.SigningKeyId]);
        Assert.True(result.IsValid, result.Message);
        Assert.Equal(10, result.EventCount);
        Assert.Equal(export.HeadHash, result.HeadHash);
        Assert.Equal(_store.Workspace.Audit.SigningKeyId, result.SigningKeyId);
    }

    [Fact]
    public async Task An_export_signed_by_a_key_other_than_the_pinned_one_fails()
    {
        await ExportTenAsync();
        AuditVerificationResult result = VerifyExport([new string('a', 64)]);
        Assert.Equal(TamperKind.InvalidCheckpoint, result.Tampering);
    }

    [Fact]
    public async Task Editing_a_line_is_an_edit()
    {
        await ExportTenAsync();
        EditLines(lines =>
        {
            lines[3] = lines[3].Replace("\"n\":4", "\"n\":44", StringComparison.Ordinal);
            return lines;
        });
        AuditVerificationResult result = VerifyExport();
        Assert.Equal(TamperKind.Edit, result.Tampering);
        Assert.Equal(4, result.FirstBadSequence);
    }

    [Fact]
    public async Task Removing_a_line_is_a_delete()
    {
        await ExportTenAsync();
        EditLines(lines =>
        {
            lines.RemoveAt(6);
            return lines;
        });
        AuditVerificationResult result = VerifyExport();
        Assert.Equal(TamperKind.Delete, result.Tampering);
        Assert.Equal(7, result.FirstBadSequence);
    }

    [Fact]
    public async Task Adding_a_forged_line_is_an_insert()
    {
        await ExportTenAsync();
        List<AuditEvent> events = AuditExport.ReadEvents(_path).ToList();
        AuditEvent forged = events[2] with { Target = "thing:forged", Hash = string.Empty };
        forged = forged with { Hash = AuditHash.ComputeEventHash(forged) };
        string forgedLine = File.ReadAllLines(_path)[2]
            .Replace("\"thing:3\"", "\"thing:forged\"", StringComparison.Ordinal)
            .Replace(events[2].Hash, forged.Hash, StringComparison.Ordinal);
        EditLines(lines =>
        {
            lines.Insert(2, forgedLine);
            return lines;
        });

        AuditVerificationResult result = VerifyExport();
        Assert.Equal(TamperKind.Insert, result.Tampering);
        Assert.Equal(3, result.FirstBadSequence);
    }

    [Fact]
    public async Task Swapping_lines_is_a_reorder()
    {
        await ExportTenAsync();
        EditLines(lines =>
        {
            (lines[4], lines[5]) = (lines[5], lines[4]);
            return lines;
        });
        AuditVerificationResult result = VerifyExport();
        Assert.Equal(TamperKind.Reorder, result.Tampering);
        Assert.Equal(5, result.FirstBadSequence);
    }

    [Fact]
    public async Task Cutting_the_last_lines_is_truncation()
    {
        await ExportTenAsync();
        EditLines(lines => lines.Take(7).ToList());
        AuditVerificationResult result = VerifyExport();
        Assert.Equal(TamperKind.Truncation, result.Tampering);
        Assert.Equal(8, result.FirstBadSequence);
    }

    [Fact]
    public async Task Re_formatting_the_file_without_changing_an_event_is_still_detected_by_the_manifest_digest()
    {
        await ExportTenAsync();
        EditLines(lines => lines.Select(l => l.Replace("\"actor\":", "\"actor\": ", StringComparison.Ordinal)).ToList());
        AuditVerificationResult result = VerifyExport();
        Assert.False(result.IsValid);
        Assert.Contains("SHA-256", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_line_that_is_not_an_event_fails_with_file_and_line_number()
    {
        await ExportTenAsync();
        EditLines(lines =>
        {
            lines[5] = "{not json";
            return lines;
        });
        IsmsException error = Assert.Throws<IsmsException>(() => VerifyExport());
        Assert.Equal("IsmsOps.Audit.ExportUnreadable", error.ErrorId);
        Assert.Contains("trail.jsonl:6:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_export_without_its_manifest_is_refused_with_the_fix()
    {
        await ExportTenAsync();
        File.Delete(AuditExport.ManifestPathFor(_path));
        IsmsException error = Assert.Throws<IsmsException>(() => VerifyExport());
        Assert.Equal("IsmsOps.Audit.ManifestNotFound", error.ErrorId);
    }

    [Fact]
    public async Task Exporting_over_an_existing_export_needs_overwrite_and_leaves_the_old_one_intact()
    {
        await ExportTenAsync();
        byte[] before = File.ReadAllBytes(_path);
        await _store.AppendEventsAsync(1);
        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => _store.Workspace.Audit.ExportAsync(_path, overwrite: false, CancellationToken.None));
        Assert.Equal("IsmsOps.Audit.ExportExists", error.ErrorId);
        Assert.Equal(before, File.ReadAllBytes(_path));

        AuditExportResult replaced = await _store.Workspace.Audit.ExportAsync(_path, overwrite: true, CancellationToken.None);
        Assert.Equal(11, replaced.EventCount);
        Assert.False(File.Exists(_path + ".partial"));
    }

    public void Dispose() => _store.Dispose();
}
