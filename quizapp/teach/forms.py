from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SubmitField
from wtforms.validators import ValidationError


class BankUploadForm(FlaskForm):
    files = MultipleFileField(
        "Bank files",
        description="One or several files: YAML banks, Quizlet or Anki exports (.txt, .csv, "
                    ".tsv), the spreadsheet template (.csv), Moodle GIFT (.gift), Aiken (.txt) "
                    "or Moodle XML (.xml). Nothing is imported until you confirm.",
        render_kw={"accept": ".yaml,.yml,.csv,.tsv,.txt,.gift,.xml"},
    )
    submit = SubmitField("Check files")

    def validate_files(self, field):
        if not [f for f in field.data or [] if getattr(f, "filename", "")]:
            raise ValidationError("Choose at least one bank file.")


class ConfirmForm(FlaskForm):
    submit = SubmitField("Import now")
