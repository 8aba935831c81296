using System.Text.RegularExpressions;
using System.Xml.Linq;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Shared;

/// <summary>Every UI string the code asks for has a Russian translation.</summary>
public partial class LocalizationTests
{
    [Fact]
    public void Every_ui_string_has_a_russian_translation()
    {
        var features = Path.Combine(TestDatabase.RepositoryRoot, "PhotoStudio", "Features");
        var resx = XDocument.Load(Path.Combine(features, "Shared", "SharedResource.ru.resx"));
        var translated = resx.Root!.Elements("data")
            .Where(d => !string.IsNullOrWhiteSpace(d.Element("value")?.Value))
            .Select(d => d.Attribute("name")!.Value)
            .ToHashSet();

        var used = Directory.EnumerateFiles(features, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cshtml") || f.EndsWith(".cs"))
            .SelectMany(f => UiString().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Key: Regex.Unescape(m.Groups["key"].Value))))
            .ToList();

        Assert.NotEmpty(used);
        var missing = used.Where(u => !translated.Contains(u.Key)).Select(u => $"{u.File}: {u.Key}").Distinct().ToList();
        Assert.True(missing.Count == 0, "No Russian translation for:\n" + string.Join("\n", missing));
    }

    // T["…"] in views and controllers, and the messages and display names of data annotations.
    [GeneratedRegex(@"(?:\bT\[|ErrorMessage\s*=\s*|Display\(Name\s*=\s*)""(?<key>(?:[^""\\]|\\.)*)""")]
    private static partial Regex UiString();
}
