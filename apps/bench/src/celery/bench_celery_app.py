"""W10's Python side: an unmodified Celery app on the bench database (kombu's SQLAlchemy transport as the
broker, the database result backend), with the no-op task the drain runs. Celery's defaults otherwise."""
import os

from celery import Celery

_url = os.environ['CELERS_CELERY_DB']  # mysql+pymysql://user@host:port/db
app = Celery('bench_celery_app', broker='sqla+' + _url, backend='db+' + _url)
app.conf.update(task_serializer='json', result_serializer='json', accept_content=['json'])


@app.task(name='bench.noop')
def noop():
    return None
