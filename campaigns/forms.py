import json
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from campaigns import scenario as scenario_rules
from campaigns.audio import Recording, recording_from_upload
from campaigns.models import App, AudioFile
from campaigns.services import audio_ids_for, unconverted_audio_ids_for
from customers.tenancy import owner_refusal

SCENARIO_EXAMPLE = json.dumps(
    [
        {"id": "greet", "type": "say", "text": "Hello {name}, your order {order} is ready."},
        {
            "id": "menu",
            "type": "gather",
            "prompt": "Press 1 to speak to us.",
            "digits": 1,
            "timeout": 5,
            "branches": {"1": "agent"},
            "default": "bye",
        },
        {"id": "agent", "type": "transfer", "number": "+441174090100"},
        {"id": "bye", "type": "say", "text": "Goodbye."},
        {"id": "end", "type": "hangup"},
    ],
    indent=2,
)


class PrettyJSONField(forms.JSONField):
    def prepare_value(self, value):
        if isinstance(value, str):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False)


class AppAdminForm(forms.ModelForm):
    scenario = PrettyJSONField(
        widget=forms.Textarea(attrs={"rows": 24, "cols": 90, "style": "font-family: monospace"}),
        help_text=(
            "Ordered steps. Types: say (text with {variable} placeholders), play (audio: the id of an "
            "audio file), gather (prompt, digits 1–20, timeout 1–60 s, branches digit → step id, default), "
            "transfer (number in international format), hangup. Example:<pre>" + SCENARIO_EXAMPLE + "</pre>"
        ),
    )

    class Meta:
        model = App
        fields = ["name", "customer", "is_global", "description", "tts_voice", "scenario"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from telephony.sip.tts import tts_engine

        voices = tts_engine().voices()
        field = self.fields["tts_voice"]
        current = self.initial.get("tts_voice") or ""
        if voices:
            # A choice among what the speech engine speaks (a code it lacks would fail at call time).
            choices = [("", f"Platform default ({settings.SIP_TTS_VOICE})")]
            choices += sorted(((code, f"{name} ({code})") for code, name in voices.items()), key=lambda c: c[1])
            if current and current not in voices:
                choices.append((current, f"{current} (not spoken by this server's engine)"))
            self.fields["tts_voice"] = forms.ChoiceField(
                choices=choices, required=False, label=field.label, help_text=field.help_text
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        refusal = owner_refusal(cleaned.get("customer"), bool(cleaned.get("is_global")), thing="app")
        if refusal:
            self.add_error("customer", refusal)
        steps = cleaned.get("scenario")
        if "scenario" not in self.errors and steps is not None:
            customer, is_global = cleaned.get("customer"), bool(cleaned.get("is_global"))
            errors = scenario_rules.scenario_errors(
                steps,
                audio_ids=audio_ids_for(customer=customer, is_global=is_global),
                unconverted_ids=unconverted_audio_ids_for(customer=customer, is_global=is_global),
            )
            if errors:
                self.add_error("scenario", ValidationError(errors))
        return cleaned


class AudioFileAdminForm(forms.ModelForm):
    """Name, owner and file; a new file becomes a recording (checked and converted) as any upload does,
    so one it cannot convert is a form error. ``AudioFileAdmin.save_model`` stores it through the service."""

    recording: Recording | None = None

    class Meta:
        model = AudioFile
        fields = ["name", "customer", "is_global", "file"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        refusal = owner_refusal(
            self.cleaned_data.get("customer"), bool(self.cleaned_data.get("is_global")), thing="recording"
        )
        if refusal:
            self.add_error("customer", refusal)
        return self.cleaned_data

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if isinstance(uploaded, UploadedFile):  # a new upload, not the stored file
            self.recording = recording_from_upload(uploaded)
        return uploaded


class PreviewForm(forms.Form):
    """Sample values for each of an app's variables."""

    def __init__(self, variables: list[str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in variables:
            self.fields[name] = forms.CharField(required=False, initial=f"[{name}]")
