using System.Linq.Expressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using PhotoStudio.Data;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Admin.Catalogue;

/// <summary>/admin/rooms: the studio's rooms, with their capacity, rate, buffers and colour.</summary>
[Route("admin/rooms")]
public class RoomsController(CatalogueService catalogue, IStringLocalizer<SharedResource> T)
    : CatalogueController<Room, RoomForm>("Room", catalogue, T)
{
    protected override (string Saved, string Stale) Texts =>
        ("Room “{0}” saved.", "Someone else saved this room meanwhile; here is the current version — check it and save again.");

    protected override async Task<object> TableAsync(TableState state, CancellationToken ct) => await Catalogue.RoomsAsync(state, ct);
    protected override Task<Editor<RoomForm>?> CurrentAsync(int id, CancellationToken ct) => Catalogue.RoomEditorAsync(id, ct);
    protected override Task<Editor<RoomForm>?> TypedAsync(int? id, RoomForm form, CancellationToken ct) => Catalogue.RoomEditorAsync(id, form, ct);
    protected override Task<Outcome> SaveAsync(int? id, RoomForm form, bool valid, CancellationToken ct) =>
        Catalogue.SaveRoomAsync(id, form, valid, ct);
    protected override Expression<Func<Data.Booking, bool>> References(int id) => b => b.RoomId == id;
    protected override string BookingsKey => "fk_bookings_room_id";
}
