using PhotoStudio.Infrastructure;

namespace PhotoStudio.Tests.Infrastructure;

public class FeatureFoldersTests
{
    [Theory]
    [InlineData("PhotoStudio.Features.Booking", "Booking")]
    [InlineData("PhotoStudio.Features.Admin.Catalogue", "Admin/Catalogue")]
    [InlineData("PhotoStudio.Infrastructure", null)]
    [InlineData(null, null)]
    public void A_controller_namespace_names_its_view_folder(string? ns, string? folder) =>
        Assert.Equal(folder, FeatureFolders.Folder(ns));

    [Fact]
    public void A_view_is_looked_for_in_its_own_area_first_then_in_each_enclosing_folder() =>
        Assert.Equal(["Admin/Catalogue", "Admin"], FeatureFolders.Enclosing("Admin/Catalogue"));
}
