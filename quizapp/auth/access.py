"""Route guards by role: anonymous users go to login, others without the role get 403."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from ..models import Role


def role_required(*roles: Role):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


teacher_required = role_required(Role.TEACHER, Role.ADMIN)
admin_required = role_required(Role.ADMIN)
