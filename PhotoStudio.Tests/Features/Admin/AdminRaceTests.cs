using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Features.Admin.Catalogue;
using PhotoStudio.Features.Admin.Employees;
using PhotoStudio.Infrastructure.Writes;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Admin;

/// <summary>
/// Two admins saving the same name at the same moment both pass the service's own check; the database's unique index
/// settles it, and the loser gets the message next to the field instead of an error page.
/// </summary>
public class AdminRaceTests(StudioApp app) : IClassFixture<StudioApp>
{
    private const int Admins = 6;

    [Fact]
    public async Task Rooms_created_with_one_name_at_the_same_moment_save_once_and_the_others_get_a_field_error()
    {
        var outcomes = await AtOnceAsync((CatalogueService catalogue) => catalogue.SaveRoomAsync(null, new RoomForm
        {
            Name = "Race room", Capacity = 4, HourlyRate = 40, Color = "#112233",
        }, valid: true, CancellationToken.None));

        Assert.Single(outcomes, o => o is Outcome.Done);
        Assert.All(outcomes.Where(o => o is not Outcome.Done), o =>
            Assert.Equal(Outcome.Field(nameof(RoomForm.Name), CatalogueService.NameTaken, "Race room"), o));
    }

    [Fact]
    public async Task Employees_created_with_one_email_at_the_same_moment_save_once_and_the_others_get_a_field_error()
    {
        var outcomes = await AtOnceAsync((EmployeeDirectory directory) => directory.CreateAsync(new EmployeeForm
        {
            FullName = "Race Person", Email = "race@demo.studio", Roles = ["Photographer"], Access = "link", Color = "#334455",
        }, CancellationToken.None));

        Assert.Single(outcomes, o => o is Outcome.Done);
        Assert.All(outcomes.Where(o => o is not Outcome.Done), o =>
            Assert.Equal(nameof(EmployeeForm.Email), Assert.Single(Assert.IsType<Outcome.Invalid>(o).Errors).Field));
    }

    /// <summary>The same write from several requests at once, each in its own scope (its own DbContext and transaction).</summary>
    private async Task<Outcome[]> AtOnceAsync<TService>(Func<TService, Task<Outcome>> write) where TService : notnull
    {
        var scopes = Enumerable.Range(0, Admins).Select(_ => app.Scope()).ToList();
        try
        {
            var services = scopes.Select(s => s.ServiceProvider.GetRequiredService<TService>()).ToList();
            return await Task.WhenAll(services.Select(s => Task.Run(() => write(s))));
        }
        finally
        {
            foreach (var scope in scopes) await scope.DisposeAsync();
        }
    }
}
