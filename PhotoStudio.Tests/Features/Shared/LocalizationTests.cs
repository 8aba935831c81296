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
        var app = Path.Combine(TestDatabase.RepositoryRoot, "PhotoStudio");
        var features = Path.Combine(app, "Features");
        var resx = XDocument.Load(Path.Combine(features, "Shared", "SharedResource.ru.resx"));
        var translated = resx.Root!.Elements("data")
            .Where(d => !string.IsNullOrWhiteSpace(d.Element("value")?.Value))
            .Select(d => d.Attribute("name")!.Value)
            .ToHashSet();

        var used = new[] { features, Path.Combine(app, "Infrastructure") }
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".cshtml") || f.EndsWith(".cs"))
            .SelectMany(f => new[] { UiString(), OutcomeMessage(), MessageConstant() }.SelectMany(r => r.Matches(File.ReadAllText(f)))
                .Select(m => (File: Path.GetFileName(f), Key: Regex.Unescape(m.Groups["key"].Value))))
            .ToList();

        Assert.NotEmpty(used);
        var missing = used.Where(u => !translated.Contains(u.Key)).Select(u => $"{u.File}: {u.Key}").Distinct().ToList();
        Assert.True(missing.Count == 0, "No Russian translation for:\n" + string.Join("\n", missing));
    }

    // T["…"] in views and controllers, and the messages and display names of data annotations.
    [GeneratedRegex(@"(?:\bT\[|ErrorMessage\s*=\s*|Display\(Name\s*=\s*)""(?<key>(?:[^""\\]|\\.)*)""")]
    private static partial Regex UiString();

    // What services say through an outcome: a refusal's reason, a field's error, a message, and the texts an answer falls back on.
    [GeneratedRegex(@"(?:Outcome\.(?:Because|Forbid)\(|Outcome\.Field\([^,""]+,\s*|new Text\(|FieldError\([^,""]+,\s*|new\(nameof\([^)]*\),\s*|\b(?:stale|slotTaken):\s*)""(?<key>(?:[^""\\]|\\.)*)""")]
    private static partial Regex OutcomeMessage();

    // Messages kept in constants (tests and several answers share them): sentences, unlike index names or permissions.
    [GeneratedRegex(@"const string \w+ = ""(?<key>[^""]* [^""]*[.?!])""")]
    private static partial Regex MessageConstant();
}
