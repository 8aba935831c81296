using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Shared;

namespace PhotoStudio.Features.Home;

public record LandingPage(StudioSettings? Studio, IReadOnlyList<LandingService> Services, IReadOnlyList<LandingRoom> Rooms);
public record LandingService(string Name, string Description, int DurationMinutes, decimal Price, bool NeedsPhotographer);
public record LandingRoom(string Name, string Description, int Capacity);

/// <summary>The studio's public front page, the same for every anonymous visitor (<see cref="PublicPages"/>).</summary>
[AllowAnonymous]
public class HomeController(StudioDb db, StudioSettingsCache settings) : Controller
{
    [HttpGet("/"), OutputCache(PolicyName = PublicPages.Landing)]
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        var studio = await settings.GetAsync(db, ct);
        var services = await db.Services.AsNoTracking().Where(s => s.IsActive).OrderBy(s => s.Price)
            .Select(s => new LandingService(s.Name, s.Description, s.DurationMinutes, s.Price, s.NeedsPhotographer))
            .ToListAsync(ct);
        var rooms = await db.Rooms.AsNoTracking().Where(r => r.IsActive).OrderBy(r => r.Name)
            .Select(r => new LandingRoom(r.Name, r.Description, r.Capacity))
            .ToListAsync(ct);
        return View(new LandingPage(studio, services, rooms));
    }
}
