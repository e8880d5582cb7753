from datetime import UTC, datetime

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..extensions import db
from . import charts
from .progress import progress_for

bp = Blueprint("progress", __name__)


@bp.route("/progress")
@login_required
def show():
    data = progress_for(db.session, current_user, datetime.now(UTC))
    return render_template("study/progress.html", p=data, bars=charts.bars(data.forecast),
                           cells=charts.heatmap(data.history), colours=charts.HEAT_COLOURS)
