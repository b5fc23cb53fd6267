using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace IsmsOps.Host;

/// <summary>
/// Plain console UI: output to stdout; errors, warnings, verbose and debug messages to stderr with a prefix, so a
/// scheduled job's log can tell them apart; prompts read stdin and fall back to their default when stdin is closed.
/// </summary>
internal sealed class IsmsHostUserInterface : PSHostUserInterface
{
    private readonly object _errorGate = new();
    private bool _progressShown;

    /// <inheritdoc />
    public override IsmsHostRawUserInterface RawUI { get; } = new();

    /// <summary>Colour and other escape sequences only on a terminal; logs and pipes get plain text.</summary>
    public override bool SupportsVirtualTerminal => !Console.IsOutputRedirected;

    /// <summary>
    /// The engine decorates text (table headers) with escape sequences whatever the output is; like pwsh's console
    /// host, this host strips them per $PSStyle.OutputRendering and whether the stream is a terminal.
    /// </summary>
    private string ForStdout(string value) => GetOutputString(value, SupportsVirtualTerminal);

    /// <inheritdoc />
    public override string ReadLine() => Console.In.ReadLine() ?? string.Empty;

    /// <inheritdoc />
    public override SecureString ReadLineAsSecureString()
    {
        var secret = new SecureString();
        if (Console.IsInputRedirected)
        {
            foreach (char c in Console.In.ReadLine() ?? string.Empty)
            {
                secret.AppendChar(c);
            }
        }
        else
        {
            for (ConsoleKeyInfo key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
            {
                if (key.Key == ConsoleKey.Backspace)
                {
                    if (secret.Length > 0)
                    {
                        secret.RemoveAt(secret.Length - 1);
                    }
                }
                else if (key.KeyChar != '\0')
                {
                    secret.AppendChar(key.KeyChar);
                }
            }

            Console.Out.WriteLine();
        }

        secret.MakeReadOnly();
        return secret;
    }

    /// <inheritdoc />
    public override void Write(string value) => Console.Out.Write(ForStdout(value));

    /// <inheritdoc />
    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Console.Out.Write(ForStdout(value));

    /// <inheritdoc />
    public override void WriteLine(string value) => Console.Out.WriteLine(ForStdout(value));

    /// <inheritdoc />
    public override void WriteErrorLine(string value) => WriteToError("ERROR: " + value);

    /// <inheritdoc />
    public override void WriteWarningLine(string message) => WriteToError("WARNING: " + message);

    /// <inheritdoc />
    public override void WriteVerboseLine(string message) => WriteToError("VERBOSE: " + message);

    /// <inheritdoc />
    public override void WriteDebugLine(string message) => WriteToError("DEBUG: " + message);

    /// <summary>
    /// Writes an error as a person fixing it needs it: the message and the stable ErrorId, then the recommended action
    /// and where in a script it happened, when known.
    /// </summary>
    public void WriteErrorRecord(ErrorRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.FullyQualifiedErrorId is "NativeCommandError" or "NativeCommandErrorMessage")
        {
            // A program's stderr, which a hosted engine captures line by line (pwsh lets it through to the console):
            // passed on as it was written, since tools such as git and dotnet write progress and notes there too.
            WriteToError(record.Exception?.Message ?? record.ToString());
            return;
        }

        string message = record.ErrorDetails?.Message is { Length: > 0 } details ? details : record.Exception?.Message ?? record.ToString();
        // FullyQualifiedErrorId is "<ErrorId>,<command type>"; the ErrorId alone is what docs and scripts refer to.
        string errorId = record.FullyQualifiedErrorId?.Split(',')[0] ?? string.Empty;
        var text = new StringBuilder("ERROR: ").Append(message.TrimEnd());
        if (errorId.Length > 0)
        {
            text.Append(" [").Append(errorId).Append(']');
        }

        if (record.ErrorDetails?.RecommendedAction is { Length: > 0 } fix)
        {
            text.AppendLine().Append("  Fix: ").Append(fix);
        }

        if (record.InvocationInfo is { ScriptLineNumber: > 0 } at && !string.IsNullOrEmpty(at.ScriptName)
            && !message.Contains(at.ScriptName, StringComparison.Ordinal))
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"  At: {at.ScriptName}:{at.ScriptLineNumber}");
        }

        WriteToError(text.ToString());
    }

    /// <summary>A one-line progress display, only when stderr is a terminal; logs never see it.</summary>
    public override void WriteProgress(long sourceId, ProgressRecord record)
    {
        if (Console.IsErrorRedirected)
        {
            return;
        }

        int width = Math.Max(20, RawUI.BufferSize.Width - 1);
        lock (_errorGate)
        {
            if (record.RecordType == ProgressRecordType.Completed)
            {
                if (_progressShown)
                {
                    Console.Error.Write("\r" + new string(' ', width) + "\r");
                    _progressShown = false;
                }

                return;
            }

            string percent = record.PercentComplete >= 0 ? $" {record.PercentComplete}%" : string.Empty;
            string line = $"{record.Activity}: {record.StatusDescription}{percent}";
            line = line.Length > width ? line[..width] : line.PadRight(width);
            Console.Error.Write("\r" + line);
            _progressShown = true;
        }
    }

    /// <summary>Asks for each field on its own line; used when a mandatory parameter has no value.</summary>
    public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
    {
        ArgumentNullException.ThrowIfNull(descriptions);
        WriteCaption(caption, message);
        var answers = new Dictionary<string, PSObject>(StringComparer.OrdinalIgnoreCase);
        foreach (FieldDescription field in descriptions)
        {
            string label = string.IsNullOrEmpty(field.Label) ? field.Name : field.Label.Replace("&", string.Empty, StringComparison.Ordinal);
            Console.Out.Write(label + ": ");
            if (field.ParameterTypeFullName == typeof(SecureString).FullName)
            {
                answers[field.Name] = PSObject.AsPSObject(ReadLineAsSecureString());
                continue;
            }

            string answer = Console.In.ReadLine()
                ?? throw new PromptingException($"isms cannot ask for '{field.Name}': standard input is closed. Pass it as a parameter.");
            answers[field.Name] = PSObject.AsPSObject(answer);
        }

        return answers;
    }

    /// <summary>
    /// Asks which choice to take (what -Confirm shows). Accepts a hot key or a label; an empty answer takes the default,
    /// and so does end of input, so a job whose stdin is closed is not stuck.
    /// </summary>
    public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
    {
        ArgumentNullException.ThrowIfNull(choices);
        WriteCaption(caption, message);
        string menu = string.Join("  ", choices.Select(c => $"[{HotKeyOf(c)}] {c.Label.Replace("&", string.Empty, StringComparison.Ordinal)}"));
        string defaultText = defaultChoice >= 0 && defaultChoice < choices.Count ? $" (default is \"{HotKeyOf(choices[defaultChoice])}\")" : string.Empty;
        while (true)
        {
            Console.Out.Write($"{menu}  [?] Help{defaultText}: ");
            string? answer = Console.In.ReadLine();
            if (answer is null || answer.Trim().Length == 0)
            {
                if (answer is null)
                {
                    Console.Out.WriteLine();
                }

                if (defaultChoice >= 0 && defaultChoice < choices.Count)
                {
                    return defaultChoice;
                }

                if (answer is null)
                {
                    throw new PromptingException("isms cannot ask for a choice: standard input is closed and the prompt has no default.");
                }

                continue;
            }

            answer = answer.Trim();
            if (answer == "?")
            {
                foreach (ChoiceDescription choice in choices)
                {
                    Console.Out.WriteLine($"{HotKeyOf(choice)} - {choice.HelpMessage}");
                }

                continue;
            }

            for (int i = 0; i < choices.Count; i++)
            {
                if (string.Equals(answer, HotKeyOf(choices[i]), StringComparison.OrdinalIgnoreCase)
                    || string.Equals(answer, choices[i].Label.Replace("&", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }
        }
    }

    /// <summary>The host cannot prompt for credentials; scripts pass a PSCredential instead.</summary>
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
        throw new NotSupportedException(
            "isms cannot prompt for credentials. Pass a PSCredential to the command instead, built with "
            + "[pscredential]::new('<user>', <SecureString>).");

    /// <inheritdoc />
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
        PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
        PromptForCredential(caption, message, userName, targetName);

    private void WriteToError(string text)
    {
        lock (_errorGate)
        {
            if (_progressShown)
            {
                Console.Error.Write("\r" + new string(' ', Math.Max(20, RawUI.BufferSize.Width - 1)) + "\r");
                _progressShown = false;
            }

            Console.Error.WriteLine(GetOutputString(text, !Console.IsErrorRedirected));
        }
    }

    private static void WriteCaption(string caption, string message)
    {
        if (!string.IsNullOrEmpty(caption))
        {
            Console.Out.WriteLine(caption);
        }

        if (!string.IsNullOrEmpty(message))
        {
            Console.Out.WriteLine(message);
        }
    }

    /// <summary>The letter after '&amp;' in a choice label ("&amp;Yes" is Y), or the label's first letter.</summary>
    private static string HotKeyOf(ChoiceDescription choice)
    {
        int amp = choice.Label.IndexOf('&', StringComparison.Ordinal);
        return amp >= 0 && amp + 1 < choice.Label.Length
            ? choice.Label[amp + 1].ToString().ToUpperInvariant()
            : choice.Label[..1].ToUpperInvariant();
    }
}
