from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SubmitField
from wtforms.validators import ValidationError


class BankUploadForm(FlaskForm):
    files = MultipleFileField(
        _l("Bank files"),
        description=_l("One or several files: YAML banks, Quizlet or Anki exports (.txt, .csv, "
                       ".tsv), the spreadsheet template (.csv), Moodle GIFT (.gift), Aiken "
                       "(.txt) or Moodle XML (.xml). Nothing is imported until you confirm."),
        render_kw={"accept": ".yaml,.yml,.csv,.tsv,.txt,.gift,.xml"},
    )
    submit = SubmitField(_l("Check files"))

    def validate_files(self, field):
        if not [f for f in field.data or [] if getattr(f, "filename", "")]:
            raise ValidationError(_("Choose at least one bank file."))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Import now"))
