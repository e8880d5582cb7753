from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SubmitField
from wtforms.validators import ValidationError


class BankUploadForm(FlaskForm):
    files = MultipleFileField(
        "Bank files (.yaml)",
        description="One or several YAML files. Nothing is imported until you confirm.",
        render_kw={"accept": ".yaml,.yml,text/yaml,application/x-yaml"},
    )
    submit = SubmitField("Check files")

    def validate_files(self, field):
        if not [f for f in field.data or [] if getattr(f, "filename", "")]:
            raise ValidationError("Choose at least one .yaml file.")


class ConfirmForm(FlaskForm):
    submit = SubmitField("Import now")
