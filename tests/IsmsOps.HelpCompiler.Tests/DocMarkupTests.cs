using System.Xml.Linq;

namespace IsmsOps.HelpCompiler.Tests;

public sealed class DocMarkupTests
{
    private static readonly DocMarkup Markup = new(cref => cref == "T:Ns.GetIsmsPersonCommand" ? "Get-IsmsPerson" : "?" + cref);

    [Fact]
    public void Line_breaks_inside_a_paragraph_are_spaces_and_para_or_a_blank_line_starts_a_new_one()
    {
        XElement remarks = Parse("""
            <remarks>
            First sentence
            continues here.
            <para>Second paragraph.</para>
            Third,

            and fourth.
            </remarks>
            """);

        Assert.Equal(["First sentence continues here.", "Second paragraph.", "Third,", "and fourth."], Markup.Paragraphs(remarks));
    }

    [Fact]
    public void References_and_keywords_read_as_a_PowerShell_user_knows_them()
    {
        XElement summary = Parse("""
            <summary>Like <see cref="T:Ns.GetIsmsPersonCommand"/>, <c>-Force</c> is <see langword="true"/> or
            <see langword="null"/>; see <see href="https://example.org/x">the guide</see> for <paramref name="Path"/>.</summary>
            """);

        Assert.Equal("Like Get-IsmsPerson, -Force is $true or $null; see the guide (https://example.org/x) for Path.", Markup.Line(summary));
    }

    [Fact]
    public void Code_keeps_its_lines_without_the_comment_indentation()
    {
        XElement example = Parse("""
            <example>
                        <code>
                        $people = Get-IsmsPerson
                        foreach ($p in $people) {
                            $p.PersonId
                        }
                        </code>
            </example>
            """);

        Assert.Equal("$people = Get-IsmsPerson\nforeach ($p in $people) {\n    $p.PersonId\n}", DocMarkup.Code(example.Element("code")!));
    }

    [Fact]
    public void Code_that_starts_on_its_tag_line_keeps_the_relative_indentation_of_the_lines_after()
    {
        XElement example = Parse("""
            <example>
                        <code>Get-IsmsPerson |
                            Set-IsmsPerson -Status Active</code>
            </example>
            """);

        Assert.Equal("Get-IsmsPerson |\n    Set-IsmsPerson -Status Active", DocMarkup.Code(example.Element("code")!));
    }

    [Fact]
    public void Space_between_inline_elements_is_kept()
    {
        Assert.Equal("-Force -PassThru", Markup.Line(Parse("<summary><c>-Force</c> <c>-PassThru</c></summary>")));
    }

    // As XmlDocs loads the doc file: whitespace-only text is meaningful here.
    private static XElement Parse(string xml) => XElement.Parse(xml, LoadOptions.PreserveWhitespace);
}
