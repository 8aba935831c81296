using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Notifications;

/// <summary>The words of the emails: every one has its Russian, with the same placeholders, and plurals agree with their count.</summary>
public partial class MailTextsTests
{
    [Fact]
    public void Every_mail_text_has_a_russian_translation_with_the_same_placeholders()
    {
        var folder = Path.Combine(TestDatabase.RepositoryRoot, "PhotoStudio", "Features", "Notifications");
        var translations = XDocument.Load(Path.Combine(folder, "MailResource.ru.resx")).Root!.Elements("data")
            .ToDictionary(d => d.Attribute("name")!.Value, d => d.Element("value")?.Value ?? "");
        var used = Directory.EnumerateFiles(folder, "*.cs")
            .SelectMany(f => MailText().Matches(File.ReadAllText(f)).Select(m => Regex.Unescape(m.Groups["key"].Value)))
            .Distinct().ToList();

        Assert.True(used.Count > 30, $"only {used.Count} texts found: has the composer stopped using M[…]?");
        var problems = new List<string>();
        foreach (var key in used)
        {
            if (!translations.TryGetValue(key, out var ru) || string.IsNullOrWhiteSpace(ru))
                problems.Add($"no Russian for: {key}");
            else if (!Placeholders(key).SetEquals(Placeholders(ru)))
                problems.Add($"placeholders differ: {key} => {ru}");
            else if (key.Contains('|') && (key.Split('|').Length != 2 || ru.Split('|').Length != 3))
                problems.Add($"a plural needs two English forms and three Russian ones: {key} => {ru}");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        // Nothing translated that nobody asks for any more.
        Assert.Empty(translations.Keys.Except(used));
    }

    [Theory]
    [InlineData(1, "через 1 час")]
    [InlineData(2, "через 2 часа")]
    [InlineData(4, "через 4 часа")]
    [InlineData(5, "через 5 часов")]
    [InlineData(11, "через 11 часов")]
    [InlineData(12, "через 12 часов")]
    [InlineData(21, "через 21 час")]
    [InlineData(22, "через 22 часа")]
    public void Russian_plurals_follow_the_count(int count, string expected) =>
        Assert.Equal(expected, MailPlural.Pick(new LocalizedString("k", "через {0} час|через {0} часа|через {0} часов"), count));

    [Theory]
    [InlineData(1, "in 1 hour")]
    [InlineData(2, "in 2 hours")]
    public void English_plurals_follow_the_count(int count, string expected) =>
        Assert.Equal(expected, MailPlural.Pick(new LocalizedString("k", "in {0} hour|in {0} hours"), count));

    private static HashSet<string> Placeholders(string text) =>
        Placeholder().Matches(text).Select(m => m.Groups["index"].Value).ToHashSet();

    // M["…"] in the composer.
    [GeneratedRegex(@"\bM\[""(?<key>(?:[^""\\]|\\.)*)""")]
    private static partial Regex MailText();

    [GeneratedRegex(@"\{(?<index>\d+)(?::[^}]*)?\}")]
    private static partial Regex Placeholder();

    [Fact]
    public void The_culture_formats_dates_as_the_texts_expect()
    {
        // The texts put the parts of a date together themselves; the cultures supply the names.
        var day = new DateTime(2026, 12, 8, 10, 0, 0);
        Assert.Equal("Tue 8 Dec 2026", day.ToString("ddd d MMM yyyy", CultureInfo.GetCultureInfo("en")));
        Assert.Equal("8 декабря", day.ToString("d MMMM", CultureInfo.GetCultureInfo("ru")));
    }
}
