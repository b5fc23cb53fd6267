namespace IsmsOps.Sandbox.Http.Query;

/// <summary>
/// One navigation property named in $expand, with the $select nested inside it: <c>manager($select=id)</c>. The
/// sandbox takes no other nested option, and says so.
/// </summary>
internal sealed record ExpandOption(string Name, IReadOnlyList<string>? Select)
{
    /// <summary>Parses a whole $expand value; throws <see cref="FilterException"/> (code BadRequest) on what it cannot take.</summary>
    public static IReadOnlyList<ExpandOption> ParseAll(string text)
    {
        var options = new List<ExpandOption>();
        foreach (string part in SplitTopLevel(text))
        {
            int open = part.IndexOf('(', StringComparison.Ordinal);
            if (open < 0)
            {
                options.Add(new ExpandOption(part.Trim(), null));
                continue;
            }

            if (!part.EndsWith(')'))
            {
                throw new FilterException("BadRequest", $"Invalid $expand clause: '{part}' has unbalanced parentheses.");
            }

            string name = part[..open].Trim();
            string inner = part[(open + 1)..^1].Trim();
            const string select = "$select=";
            if (!inner.StartsWith(select, StringComparison.OrdinalIgnoreCase) || inner.Contains(';', StringComparison.Ordinal))
            {
                throw new FilterException("Request_UnsupportedQuery", $"The sandbox supports only $select inside $expand; '{inner}' is not supported.");
            }

            options.Add(new ExpandOption(name, inner[select.Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        }

        return options;
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        int depth = 0, start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }
}
