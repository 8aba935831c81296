using PhotoStudio.Features.Dashboard;

namespace PhotoStudio.Tests.Features.Dashboard;

public class CsvCellTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")")]
    [InlineData("+49 30 1234", "'+49 30 1234")]
    [InlineData("-1", "'-1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("Olga Smirnova", "Olga Smirnova")]
    [InlineData("", "")]
    [InlineData(null, null)]
    public void Text_a_spreadsheet_would_run_as_a_formula_is_defused(string? text, string? expected) =>
        Assert.Equal(expected, DashboardController.Cell(text));
}
