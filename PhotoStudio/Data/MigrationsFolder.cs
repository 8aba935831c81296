using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Migrations.Design;

namespace PhotoStudio.Data;

/// <summary>
/// Migrations and the model snapshot live in the repository's Migrations folder, beside the project, which
/// dotnet ef never searches: without this, "migrations add" writes a second snapshot into the project (CS0111)
/// and "migrations remove" cannot find the files it should delete.
/// </summary>
public sealed class MigrationsFolder : IDesignTimeServices
{
    public void ConfigureDesignTimeServices(IServiceCollection services) =>
        services.AddScoped<IMigrationsScaffolder, Scaffolder>();

    private sealed class Scaffolder(MigrationsScaffolderDependencies dependencies) : MigrationsScaffolder(dependencies)
    {
        protected override string? TryGetProjectFile(string projectDir, string fileName) =>
            base.TryGetProjectFile(projectDir, fileName)
            ?? base.TryGetProjectFile(Path.GetFullPath(Path.Combine(projectDir, "..", "Migrations")), fileName);
    }
}
