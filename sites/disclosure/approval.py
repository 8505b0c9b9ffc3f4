"""The end of a review workflow. Kept free of model imports: Wagtail imports it while
wagtail.models is still loading (WAGTAIL_FINISH_WORKFLOW_ACTION)."""


def publish_approved(workflow_state, user=None):
    """WAGTAIL_FINISH_WORKFLOW_ACTION: publish what the last step approved.

    Wagtail's default publishes as the last approver and so demands that they hold publish
    permission — which would let a reviewer publish a sensitive item directly, skipping
    保密审查. Here no group holds publish permission: completing the grade's workflow is the
    permission. The publish is still logged against the approver, and a scheduled go-live
    date on the revision is honoured as usual.
    """
    revision = workflow_state.content_object.get_latest_revision()
    revision.publish(user=user, skip_permission_checks=True)
