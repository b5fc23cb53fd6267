using System.Globalization;
using System.Net;
using System.Text;

namespace IsmsOps.Engine.Html;

/// <summary>
/// The one way IsmsOps builds its self-contained HTML pages (offboarding evidence, access review evidence, assessment
/// reports, the statement of applicability). A page starts with a Content-Security-Policy that forbids everything but
/// inline styles, so even markup that slipped through could neither run script nor fetch anything; and everything
/// that is not fixed markup goes through <see cref="Text"/>, which HTML-encodes it, because names come from the
/// directory and anyone able to rename a group or a user can write to them.
/// </summary>
public sealed class HtmlPage
{
    /// <summary>The styles every page shares; a page appends its own after them.</summary>
    public const string BaseStyle = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:80rem;padding:0 1rem;color:#1b1f24;line-height:1.4}
        h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.25rem}
        table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.5rem 0}
        th,td{border:1px solid #d0d7de;padding:.3rem .45rem;text-align:left;vertical-align:top}
        th{background:#f6f8fa}table.summary th{width:14rem}
        code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.8rem;word-break:break-all}
        .ok{color:#116329;font-weight:600}.bad{color:#a40e26;font-weight:600}.warn{color:#7d4e00;font-weight:600}
        .time{white-space:nowrap}.muted{color:#57606a}.note{background:#f6f8fa;border-left:4px solid #d0d7de;padding:.5rem .75rem}
        """;

    private readonly StringBuilder _html = new();

    /// <summary>Starts a page: doctype, charset, the CSP, the encoded <paramref name="title"/>, and the styles (<see cref="BaseStyle"/> then <paramref name="extraStyle"/>).</summary>
    public static HtmlPage Begin(string title, string? extraStyle = null)
    {
        var page = new HtmlPage();
        page.Raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n")
            .Raw("<title>").Text(title).Raw("</title>\n<style>").Raw(BaseStyle);
        if (extraStyle is not null)
        {
            // Fixed markup of the caller's; never data, which could close the style element.
            page.Raw("\n").Raw(extraStyle);
        }

        return page.Raw("</style>\n</head>\n<body>\n");
    }

    /// <summary>Closes the body and the document.</summary>
    public HtmlPage End() => Raw("</body>\n</html>\n");

    /// <summary>Fixed markup, written as it is: never pass data here.</summary>
    public HtmlPage Raw(string markup)
    {
        _html.Append(markup);
        return this;
    }

    /// <summary>Data, HTML-encoded.</summary>
    public HtmlPage Text(string? value)
    {
        _html.Append(WebUtility.HtmlEncode(value ?? string.Empty));
        return this;
    }

    /// <summary>Data in a code element.</summary>
    public HtmlPage Code(string? value) => Raw("<code>").Text(value).Raw("</code>");

    /// <summary>Data in a span of a fixed CSS class.</summary>
    public HtmlPage Span(string cssClass, string? value) => Raw($"<span class=\"{cssClass}\">").Text(value).Raw("</span>");

    /// <summary>A table cell holding data.</summary>
    public HtmlPage Cell(string? value) => Raw("<td>").Text(value).Raw("</td>");

    /// <summary>A cell holding a UTC time, or an empty cell.</summary>
    public HtmlPage TimeCell(DateTimeOffset? value) => value is DateTimeOffset time ? Raw("<td class=\"time\">").Text(Time(time)).Raw("</td>") : Raw("<td></td>");

    /// <summary>A cell in monospace (ids, hashes), or an empty cell.</summary>
    public HtmlPage CodeCell(string? value) => value is null ? Raw("<td></td>") : Raw("<td class=\"mono\">").Text(value).Raw("</td>");

    /// <summary>A row of a header and a value.</summary>
    public HtmlPage Row(string header, string? value) => Raw("<tr><th>").Text(header).Raw("</th>").Cell(value).Raw("</tr>\n");

    /// <summary>A row of a header and a monospace value.</summary>
    public HtmlPage CodeRow(string header, string? value) => Raw("<tr><th>").Text(header).Raw("</th>").CodeCell(value).Raw("</tr>\n");

    /// <summary>A row of header cells.</summary>
    public HtmlPage HeaderRow(params string[] names)
    {
        Raw("<tr>");
        foreach (string name in names)
        {
            Raw("<th>").Text(name).Raw("</th>");
        }

        return Raw("</tr>\n");
    }

    /// <summary>A row of data cells.</summary>
    public HtmlPage Cells(params string?[] values)
    {
        Raw("<tr>");
        foreach (string? value in values)
        {
            Cell(value);
        }

        return Raw("</tr>\n");
    }

    /// <summary>A time as every page shows it: UTC, to the second.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The page so far.</summary>
    public override string ToString() => _html.ToString();
}
