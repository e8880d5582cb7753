from datetime import UTC, datetime

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..extensions import db
from . import charts
from .progress import progress_for
from .queue import Scope, queue_counts

bp = Blueprint("progress", __name__)


@bp.route("/progress")
@login_required
def show():
    now = datetime.now(UTC)
    data = progress_for(db.session, current_user, now)
    return render_template("study/progress.html", p=data, bars=charts.bars(data.forecast),
                           queue=queue_counts(db.session, current_user, Scope(), now),
                           cells=charts.heatmap(data.history), colours=charts.HEAT_COLOURS)
