"""Interaction page types and the public's submissions, one module per family."""

from .board import BoardPost, MessageBoardPage
from .consultation import Consultation, ConsultationPage, FaqPage
from .interviews import InterviewGuest, InterviewPage, InterviewQuestion, TranscriptEntry
from .surveys import (
    SurveyAnswer,
    SurveyExport,
    SurveyPage,
    SurveyQuestion,
    SurveyResponse,
    SurveyTally,
)

__all__ = [
    "BoardPost",
    "Consultation",
    "ConsultationPage",
    "FaqPage",
    "InterviewGuest",
    "InterviewPage",
    "InterviewQuestion",
    "MessageBoardPage",
    "SurveyAnswer",
    "SurveyExport",
    "SurveyPage",
    "SurveyQuestion",
    "SurveyResponse",
    "SurveyTally",
    "TranscriptEntry",
]
