using System.Text.RegularExpressions;
using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Assessment.Reports;
using IsmsOps.Engine.Tests.Browser;

namespace IsmsOps.Engine.Tests.Assessment;

/// <summary>The HTML assessment report as headless Chromium builds it.</summary>
public sealed class AssessmentHtmlReportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ismsops-assessment-html-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(List<ControlResult> results)
    {
        string path = Path.Combine(_folder, "assessment.html");
        AssessmentReportWriter.Write(results, new AssessmentReportRequest { Formats = [AssessmentReportFormat.Html], Path = path, Now = AssessmentRunFixture.EvaluatedAt });
        return path;
    }

    [Fact]
    public void Chromium_renders_the_domain_summary_with_its_chart_and_each_failing_control_with_resources_waivers_and_reasons()
    {
        string dom = HeadlessChromium.DumpDom(Write(AssessmentRunFixture.Results()));

        Assert.Contains("<h2 id=\"summary\">Summary by ISO domain</h2>", dom, StringComparison.Ordinal);
        Assert.Matches("<svg class=\"chart\" id=\"domain-chart\"[^>]*>(.|\\n)*?<rect ", dom);
        foreach (string domain in new[] { "A.5 Organisational controls", "A.6 People controls", "A.8 Technological controls", "ISO/IEC 27017 cloud controls (CLD)" })
        {
            Assert.Contains($"<td>{domain}</td>", dom, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("A.7 Physical controls", dom, StringComparison.Ordinal);
        Assert.Contains("<h3>ISMS-PRV-001: Global Administrators hold eligible, not standing, assignments</h3>", dom, StringComparison.Ordinal);
        Assert.Matches("<span class=\"sev sev-Critical\">Critical</span> · 3 of 4 roleAssignment resource\\(s\\) fail", dom);
        Assert.Contains("<strong>Remediation:</strong> Run Set-IsmsPerson to fix ISMS-PRV-001.", dom, StringComparison.Ordinal);
        // 130 inactive accounts: the page lists 100 and says how many more.
        Assert.Contains("…and 30 more failing resource(s) (of 130)", dom, StringComparison.Ordinal);
        Assert.Equal(100, Regex.Matches(dom, "<td>user\\d{3}@contoso\\.example</td>").Count);
        Assert.Matches("<tr><td>ISMS-PRV-004</td><td>breakglass@contoso.example</td><td class=\"outcome-Fail\">Fail</td><td class=\"mono\">WVR-0001</td><td>AcceptedRisk</td>"
            + "<td>Break-glass account &lt;kept&gt; by design</td><td>ciso@contoso.example</td><td class=\"time\">2027-01-31 00:00:00Z</td>", dom);
        Assert.Contains("<td>ISMS-AUD-001</td><td>The audit trail verified within the last week</td><td class=\"outcome-Error\">Error</td><td>Evaluation failed</td>", dom, StringComparison.Ordinal);
        Assert.Contains("<td class=\"outcome-Skipped\">Skipped</td><td>NotLicensed</td><td>Sign-in activity needs Entra ID P1.</td>", dom, StringComparison.Ordinal);
        Assert.Contains("<tr><td>ISMS-OFF-001</td><td>OFB-3</td><td class=\"mono\">OFB-3</td><td>FormatException: the case's due date &lt;is&gt; unreadable</td></tr>", dom, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostile_resource_names_and_messages_show_as_text_and_inject_no_script_handler_link_or_style()
    {
        string path = Write(AssessmentRunFixture.Results());
        string html = File.ReadAllText(path);
        string dom = HeadlessChromium.DumpDom(path);

        Assert.Contains("<title>IsmsOps assessment report</title>", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("pwned", Regex.Match(dom, "<title>.*?</title>").Value, StringComparison.Ordinal);
        Assert.DoesNotMatch("(?i)<(script|img|iframe|object|embed|link|base|a)\\b", dom);
        Assert.DoesNotMatch("(?i)<[^>]*\\s(src|href|action|on[a-z]+)\\s*=", dom);
        Assert.Single(Regex.Matches(dom, "(?i)<style\\b"));
        Assert.Contains("&lt;script&gt;document.title='pwned-script'&lt;/script&gt;", dom, StringComparison.Ordinal);
        Assert.Contains("&lt;/style&gt;&lt;script&gt;", dom, StringComparison.Ordinal);
        Assert.Contains("&lt;a href=\"javascript:alert(1)\"&gt;click&lt;/a&gt;", dom, StringComparison.Ordinal);
        Assert.Contains("standing assignment &lt;img src=x onerror=\"document.title='pwned-img'\"&gt;", dom, StringComparison.Ordinal);

        // The file itself: nothing that could fetch or run, and a CSP that forbids both.
        Assert.Contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("(?i)<(script|link|img|iframe|object|embed|base)\\b", html);
        Assert.DoesNotMatch("(?i)<[^>]*\\s(src|href|action|on[a-z]+)\\s*=", html);
        Assert.DoesNotMatch("(?i)url\\(|@import|@font-face", html);
        Assert.DoesNotMatch("(?i)=\\s*\"?\\s*javascript:", html);
        // The one address in markup is the SVG namespace, which names and never fetches; addresses in names stay text.
        Assert.Equal(["xmlns=\"http://www.w3.org/2000/svg\""], Regex.Matches(html, "[a-z:-]+=\"[a-z]+://[^\"]*\"").Select(m => m.Value).Distinct().ToArray());
    }

    [Fact]
    public void A_run_without_failures_says_so_and_still_renders()
    {
        List<ControlResult> passing = AssessmentRunFixture.Results().Where(r => r.Outcome is AssessmentOutcome.Pass or AssessmentOutcome.NotApplicable).ToList();

        string dom = HeadlessChromium.DumpDom(Write(passing));

        Assert.Contains("<p class=\"ok\">None: no control fails.</p>", dom, StringComparison.Ordinal);
        Assert.Contains("<p class=\"ok\">None: every control was evaluated.</p>", dom, StringComparison.Ordinal);
        Assert.Contains("1 pass, 0 fail, 0 waived, 0 error, 0 skipped, 1 not applicable of 2 controls.", dom, StringComparison.Ordinal);
    }
}
