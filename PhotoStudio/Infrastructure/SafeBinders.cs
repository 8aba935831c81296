using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ModelBinding.Binders;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Shared;

namespace PhotoStudio.Infrastructure;

/// <summary>
/// Model binding of dates and booleans, made safe for hostile input once for every action, form and filter:
/// a date outside <see cref="SaneDates"/> is a field error like a value that is no date at all, and a refused boolean
/// is not kept for re-rendering: the checkbox helper converts the kept text back to a boolean and would throw on "abc".
/// </summary>
public static class SafeBinders
{
    public const string DateMessage = "Enter a date between 2000 and 2100.";

    /// <summary>Registers the binders ahead of MVC's own.</summary>
    public static void Register(Microsoft.AspNetCore.Mvc.MvcOptions options) => options.ModelBinderProviders.Insert(0, new Provider());

    private sealed class Provider : IModelBinderProvider
    {
        private static readonly Type[] Handled = [typeof(DateOnly), typeof(DateTime), typeof(DateTimeOffset), typeof(bool)];

        public IModelBinder? GetBinder(ModelBinderProviderContext context)
        {
            var type = Nullable.GetUnderlyingType(context.Metadata.ModelType) ?? context.Metadata.ModelType;
            if (!Handled.Contains(type)) return null;
            var loggers = context.Services.GetRequiredService<ILoggerFactory>();
            return new Binder(new SimpleTypeModelBinder(context.Metadata.ModelType, loggers), type == typeof(bool));
        }
    }

    private sealed class Binder(IModelBinder inner, bool boolean) : IModelBinder
    {
        public async Task BindModelAsync(ModelBindingContext context)
        {
            await inner.BindModelAsync(context);
            if (context.Result.IsModelSet && !Sane(context.Result.Model))
            {
                var T = context.HttpContext.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>();
                context.ModelState.TryAddModelError(context.ModelName, T[DateMessage]);
                context.Result = ModelBindingResult.Failed();
            }
            // The error stays; the refused text goes, so the re-rendered checkbox is unticked instead of failing.
            if (boolean && !context.Result.IsModelSet && context.ModelState.GetFieldValidationState(context.ModelName) == ModelValidationState.Invalid)
                context.ModelState.SetModelValue(context.ModelName, rawValue: null, attemptedValue: null);
        }

        private static bool Sane(object? model) => model switch
        {
            DateOnly day => SaneDates.Contains(day),
            DateTime time => SaneDates.Contains(time),
            DateTimeOffset time => SaneDates.Contains(time.UtcDateTime),
            _ => true,
        };
    }
}
