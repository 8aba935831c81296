using System.Linq.Expressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using PhotoStudio.Data;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Admin.Catalogue;

/// <summary>/admin/services: the sessions clients book, with where and by whom each may be shot.</summary>
[Route("admin/services")]
public class ServicesController(CatalogueService catalogue, IStringLocalizer<SharedResource> T)
    : CatalogueController<Service, ServiceForm>("Service", catalogue, T)
{
    protected override (string Saved, string Stale) Texts =>
        ("Service “{0}” saved.", "Someone else saved this service meanwhile; here is the current version — check it and save again.");

    protected override async Task<object> TableAsync(TableState state, CancellationToken ct) => await Catalogue.ServicesAsync(state, ct);
    protected override Task<Editor<ServiceForm>?> CurrentAsync(int id, CancellationToken ct) => Catalogue.ServiceEditorAsync(id, ct);
    protected override Task<Editor<ServiceForm>?> TypedAsync(int? id, ServiceForm form, CancellationToken ct) =>
        Catalogue.ServiceEditorAsync(id, form, ct);
    protected override Task<Outcome> SaveAsync(int? id, ServiceForm form, bool valid, CancellationToken ct) =>
        Catalogue.SaveServiceAsync(id, form, valid, ct);
    protected override Expression<Func<Data.Booking, bool>> References(int id) => b => b.ServiceId == id;
    protected override string BookingsKey => "fk_bookings_service_id";
}
