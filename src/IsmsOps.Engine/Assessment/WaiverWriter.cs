using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Policies;

namespace IsmsOps.Engine.Assessment;

/// <summary>What <c>New-IsmsWaiver</c> is asked to write.</summary>
public sealed record WaiverRequest
{
    /// <summary>The waiver's id; null to generate one (WVR-yyyyMMdd-xxxxxx).</summary>
    public string? Id { get; init; }

    /// <summary>The control the waiver accepts failures of.</summary>
    public required string ControlId { get; init; }

    /// <summary>Resource ids or names covered; empty with no selector means every resource of the control.</summary>
    public IReadOnlyList<string> Resources { get; init; } = [];

    /// <summary>A condition (YAML or JSON text) picking the covered resources, instead of <see cref="Resources"/>.</summary>
    public string? Selector { get; init; }

    public WaiverCategory Category { get; init; }

    public required string Justification { get; init; }

    public required string Approver { get; init; }

    /// <summary>When the waiver stops counting; must be after the time it is made.</summary>
    public DateTimeOffset ExpiresOn { get; init; }
}

/// <summary>A waiver checked and ready to write: its file, its text and the definition the waiver reader read back from that text.</summary>
public sealed record PreparedWaiver(string FilePath, string Yaml, WaiverDefinition Definition);

/// <summary>A waiver file written by <see cref="WaiverWriter"/>.</summary>
public sealed record WaiverFile
{
    public required string Id { get; init; }

    public required string ControlId { get; init; }

    public required string Category { get; init; }

    public IReadOnlyList<string> Resources { get; init; } = [];

    /// <summary>The selector as JSON text, when the waiver names its resources by one.</summary>
    public string? Selector { get; init; }

    public required string Justification { get; init; }

    public required string Approver { get; init; }

    public DateTimeOffset CreatedOn { get; init; }

    public DateTimeOffset ExpiresOn { get; init; }

    /// <summary>The file written.</summary>
    public required string Path { get; init; }
}

/// <summary>
/// Writes one waiver per file into a waivers folder (<c>&lt;policy folder&gt;/waivers/&lt;id&gt;.yaml</c>). The text is read back by
/// <see cref="WaiverReader"/> and compiled against its control before anything is written, so a waiver this writes is
/// one the assessment reads the same way; the file appears whole or not at all, and its creation is audited
/// (<c>Waiver.Created</c>, with ids only: the approver and justification stay in the file).
/// </summary>
public static partial class WaiverWriter
{
    /// <summary>The folder under a policy folder that holds waivers.</summary>
    public const string FolderName = "waivers";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdFormat();

    /// <summary>
    /// The folder to write into: <paramref name="path"/> when given, else the waivers folder of the active policy
    /// folder. A folder inside <paramref name="moduleFolder"/> (the installed module) is refused: an update of the
    /// module replaces that folder, and the waiver would silently go with it.
    /// </summary>
    public static string ResolveFolder(string? path, PolicyFolder policies, string? moduleFolder)
    {
        ArgumentNullException.ThrowIfNull(policies);
        string folder = path is not null
            ? System.IO.Path.GetFullPath(path)
            : policies.Path is string p
                ? System.IO.Path.Combine(p, FolderName)
                : throw new IsmsException("IsmsOps.Waiver.NoPolicyFolder", IsmsErrorKind.InvalidArgument,
                    "There is no policy folder to hold the waiver: $ISMSOPS_POLICIES is not set and the module ships none. Nothing was written.",
                    "Set $env:ISMSOPS_POLICIES to your policy folder, or pass -Path with the waivers folder.");
        if (moduleFolder is not null && IsWithin(folder, System.IO.Path.GetFullPath(moduleFolder)))
        {
            throw new IsmsException("IsmsOps.Waiver.InsideModule", IsmsErrorKind.InvalidArgument,
                $"The waivers folder '{folder}' is inside the installed module ({moduleFolder}); updating the module would replace it and lose the waiver. Nothing was written.",
                "Copy the module's policies folder somewhere of your own and set $env:ISMSOPS_POLICIES to it, or pass -Path with a waivers folder outside the module.",
                folder);
        }

        return folder;
    }

    /// <summary>
    /// Checks <paramref name="request"/> and builds its file without writing it: the expiry is in the future, the id
    /// is free in <paramref name="folder"/>, the control exists in <paramref name="controls"/>, and the waiver reader
    /// reads the text back and its selector compiles against the control.
    /// </summary>
    public static PreparedWaiver Prepare(WaiverRequest request, string folder, ControlSet controls, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(controls);
        if (request.ExpiresOn <= now)
        {
            throw new IsmsException("IsmsOps.Waiver.NotInFuture", IsmsErrorKind.InvalidArgument,
                $"-ExpiresOn {Format(request.ExpiresOn)} is not in the future; an expired waiver is never honoured, so it would waive nothing. Nothing was written.",
                "Give -ExpiresOn a date after today, no later than the next review of the risk.", request.ExpiresOn);
        }

        if (request.Resources.Count > 0 && request.Selector is not null)
        {
            throw new IsmsException("IsmsOps.Waiver.ResourcesAndSelector", IsmsErrorKind.InvalidArgument,
                "A waiver names its resources by -ResourceId or by -Selector, not both. Nothing was written.", "Pass one of them.");
        }

        Require(request.Justification, "-Justification", "Say why the failure is accepted, or what compensates for it.");
        Require(request.Approver, "-Approver", "Name who approved the waiver (their sign-in name).");
        ControlDefinition control = controls.Controls.FirstOrDefault(c => string.Equals(c.Id, request.ControlId, StringComparison.OrdinalIgnoreCase))
            ?? throw new IsmsException("IsmsOps.Waiver.UnknownControl", IsmsErrorKind.NotFound,
                $"There is no control '{request.ControlId}' in the policy folder's controls. Nothing was written.",
                "Use the id of a control Invoke-IsmsAssessment evaluates (docs/controls.md lists the shipped ones).", request.ControlId);

        string id = request.Id ?? $"WVR-{now.UtcDateTime:yyyyMMdd}-{Guid.NewGuid():N}"[..19];
        if (!IdFormat().IsMatch(id))
        {
            throw new IsmsException("IsmsOps.Waiver.BadId", IsmsErrorKind.InvalidArgument,
                $"-Id '{id}' cannot name a waiver file. Nothing was written.",
                "Use letters, digits, dots, dashes and underscores (up to 64), starting with a letter or digit, such as WVR-2026-004.", id);
        }

        WaiverSet existing = WaiverReader.Load(folder);
        if (existing.Waivers.FirstOrDefault(w => string.Equals(w.Id, id, StringComparison.OrdinalIgnoreCase)) is WaiverDefinition taken)
        {
            throw new IsmsException("IsmsOps.Waiver.IdTaken", IsmsErrorKind.AlreadyExists,
                $"The waiver id '{id}' is already used at {taken.Node.Location}. Nothing was written.", "Choose another -Id, or leave it out to generate one.", id);
        }

        string filePath = System.IO.Path.Combine(folder, id + ".yaml");
        if (File.Exists(filePath))
        {
            throw new IsmsException("IsmsOps.Waiver.IdTaken", IsmsErrorKind.AlreadyExists,
                $"The file '{filePath}' already exists. Nothing was written.", "Choose another -Id, or leave it out to generate one.", filePath);
        }

        string yaml = Yaml(request with { Id = id, ControlId = control.Id }, now);
        WaiverDefinition definition = ReadBack(yaml, filePath);
        try
        {
            WaiverMatcher.Compile(definition, control, now);
        }
        catch (IsmsException ex) when (PolicyError.From(ex) is PolicyError error)
        {
            throw new IsmsException("IsmsOps.Waiver.BadSelector", IsmsErrorKind.InvalidArgument,
                $"-Selector does not compile against {control.Id}'s resource type ({control.ResourceType.Name}): {error.Message} Nothing was written.",
                error.RecommendedAction, request.Selector, ex);
        }

        return new PreparedWaiver(filePath, yaml, definition);
    }

    /// <summary>
    /// Writes the prepared file (a temporary file renamed into place, never over an existing one), then audits
    /// <c>Waiver.Created</c>; when the audit cannot be written the file is removed again, so no waiver exists unaudited.
    /// </summary>
    public static async Task<WaiverFile> WriteAsync(PreparedWaiver prepared, AuditTrail audit, OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(audit);
        string folder = System.IO.Path.GetDirectoryName(prepared.FilePath)!;
        string temp = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(prepared.FilePath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(temp, prepared.Yaml, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
            File.Move(temp, prepared.FilePath, overwrite: false);
        }
        catch (IOException ex)
        {
            TryDelete(temp);
            throw new IsmsException("IsmsOps.Waiver.WriteFailed", IsmsErrorKind.WriteError,
                $"The waiver file '{prepared.FilePath}' could not be written: {ex.Message} Nothing was written.",
                "Check the folder exists and is writable, and that no file of that name appeared meanwhile.", prepared.FilePath, ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            TryDelete(temp);
            throw new IsmsException("IsmsOps.Waiver.WriteFailed", IsmsErrorKind.PermissionDenied,
                $"The waiver file '{prepared.FilePath}' could not be written: {ex.Message} Nothing was written.",
                "Write into a folder you can change, with -Path or $env:ISMSOPS_POLICIES.", prepared.FilePath, ex);
        }

        WaiverDefinition w = prepared.Definition;
        try
        {
            await audit.AppendAsync([new AuditEventDraft("Waiver.Created", "waiver:" + w.Id,
                new AuditDetails().Add("Control", w.ControlId).Add("Category", w.Category.ToString()).Add("Resources", w.Resources.Count)
                    .Add("BySelector", w.Selector is not null).Add("ExpiresOn", Format(w.ExpiresOn)).ToJson())], context, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            TryDelete(prepared.FilePath);
            throw;
        }

        return new WaiverFile
        {
            Id = w.Id,
            ControlId = w.ControlId,
            Category = w.Category.ToString(),
            Resources = w.Resources,
            Selector = w.Selector is null ? null : JsonSerializer.Serialize(w.Selector.ToPlainValue()),
            Justification = w.Justification,
            Approver = w.Approver,
            CreatedOn = w.CreatedOn,
            ExpiresOn = w.ExpiresOn,
            Path = prepared.FilePath,
        };
    }

    private static WaiverDefinition ReadBack(string yaml, string filePath)
    {
        // The same reader the assessment uses reads the text back from a scratch file, so what is written is exactly
        // what a run will honour.
        string scratch = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"ismsops-waiver-{Guid.NewGuid():N}.yaml");
        try
        {
            File.WriteAllText(scratch, yaml, new UTF8Encoding(false));
            WaiverSet read = WaiverReader.Load(scratch);
            if (read.Errors.Count > 0 || read.Waivers.Count != 1)
            {
                PolicyError? error = read.Errors.FirstOrDefault();
                throw new IsmsException("IsmsOps.Waiver.Invalid", IsmsErrorKind.InvalidArgument,
                    $"The waiver for '{filePath}' does not read back: {error?.Message ?? "no waiver was read"} Nothing was written.",
                    error?.RecommendedAction ?? "Check -Selector and the other values.");
            }

            return read.Waivers[0];
        }
        finally
        {
            TryDelete(scratch);
        }
    }

    private static string Yaml(WaiverRequest r, DateTimeOffset now)
    {
        var text = new StringBuilder();
        text.Append("# Written by New-IsmsWaiver. An expired waiver is never honoured; renew it with a new waiver, do not edit the date.\n");
        text.Append("waivers:\n");
        text.Append("  - id: ").Append(Quote(r.Id!)).Append('\n');
        text.Append("    control: ").Append(Quote(r.ControlId)).Append('\n');
        if (r.Resources.Count > 0)
        {
            text.Append("    resources: [").Append(string.Join(", ", r.Resources.Select(Quote))).Append("]\n");
        }

        if (r.Selector is not null)
        {
            text.Append("    selector: ").Append(SelectorJson(r.Selector)).Append('\n');
        }

        text.Append("    category: ").Append(r.Category).Append('\n');
        text.Append("    justification: ").Append(Quote(r.Justification)).Append('\n');
        text.Append("    approver: ").Append(Quote(r.Approver)).Append('\n');
        text.Append("    createdOn: ").Append(Format(now)).Append('\n');
        text.Append("    expiresOn: ").Append(Format(r.ExpiresOn)).Append('\n');
        return text.ToString();
    }

    // The selector is parsed with the bounded YAML reader (so a hostile or huge one fails with a position) and written
    // back as JSON, which YAML reads as a flow mapping: no indentation to get wrong.
    private static string SelectorJson(string selector)
    {
        YamlTreeNode node = YamlTree.Parse(selector, "-Selector");
        if (node.Kind != YamlTreeKind.Mapping)
        {
            throw new IsmsException("IsmsOps.Waiver.BadSelector", IsmsErrorKind.InvalidArgument,
                $"-Selector must be a condition (a mapping such as {{ field: userPrincipalName, like: 'svc-*' }}), not {node.Describe()}. Nothing was written.",
                "Write the selector as a condition of the policy language (docs/policy-language.md).", selector);
        }

        return JsonSerializer.Serialize(node.ToPlainValue(), JsonOptions);
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // A JSON string is a valid YAML double-quoted scalar; relaxed escaping keeps non-ASCII text readable.
    private static string Quote(string value) => JsonSerializer.Serialize(value, JsonOptions);

    private static string Format(DateTimeOffset at)
    {
        DateTime utc = at.UtcDateTime;
        return utc.TimeOfDay == TimeSpan.Zero
            ? utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    private static void Require(string value, string parameter, string action)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new IsmsException("IsmsOps.Waiver.Missing", IsmsErrorKind.InvalidArgument, $"{parameter} is empty. Nothing was written.", action, parameter);
        }
    }

    private static bool IsWithin(string folder, string parent)
    {
        string relative = System.IO.Path.GetRelativePath(parent, folder);
        return relative == "." || (!relative.StartsWith("..", StringComparison.Ordinal) && !System.IO.Path.IsPathRooted(relative));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover scratch or temporary file is named so no reader picks it up (.tmp, or outside the folder).
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
