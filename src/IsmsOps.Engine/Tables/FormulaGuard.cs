namespace IsmsOps.Engine.Tables;

/// <summary>
/// Keeps spreadsheet programs from evaluating exported text. A CSV cell that starts with = + - @, a tab or a carriage
/// return is a formula to Excel when the file is opened, so a display name such as <c>=HYPERLINK(...)</c> would run;
/// prefixing an apostrophe makes it text. An apostrophe that already starts a value is doubled so that reading back
/// removes exactly what writing added.
/// </summary>
public static class FormulaGuard
{
    /// <summary>True when a spreadsheet would treat <paramref name="value"/> as a formula.</summary>
    public static bool IsDangerous(string? value) =>
        !string.IsNullOrEmpty(value) && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r';

    /// <summary>The value as a CSV cell holds it: apostrophe-prefixed when dangerous or already starting with one.</summary>
    public static string? Protect(string? value) =>
        IsDangerous(value) || (value is { Length: > 0 } && value[0] == '\'') ? "'" + value : value;

    /// <summary>Undoes <see cref="Protect"/>: removes one leading apostrophe only where Protect would have added it.</summary>
    public static string? Unprotect(string? value) =>
        value is { Length: > 1 } && value[0] == '\'' && (IsDangerous(value[1..]) || value[1] == '\'') ? value[1..] : value;
}
